/**
 * The copy of a profile saved in its notebook output (the kernel's
 * kernel/embed.py; contract in docs/architecture.md, "MIME bundle"): a
 * gzip-compressed, base64-encoded Graph JSON, maybe pruned, maybe with the
 * raw profile. Decoding only; no DOM. Uses the platform's
 * DecompressionStream (browsers, Node ≥ 18): nothing to bundle.
 */
import { GRAPH_FORMAT, GRAPH_VERSION, IGraphJSON } from '../model/graph-json';

export const EMBED_FORMAT = 'jupyterlab-vmprof-embedded';
export const EMBED_VERSION = 1;

/** How the kernel pruned the copy to fit its size bound, or null. */
export interface IEmbeddedPruning {
  minSamples: number;
  /** Call-tree nodes folded away, of nodesBefore. */
  nodes: number;
  nodesBefore: number;
  frames: number;
}

export interface IEmbeddedCopy {
  format: string;
  version: number;
  encoding: 'gzip+base64';
  graph: string;
  pruned: IEmbeddedPruning | null;
  /** {file name: gzip+base64} of the raw profile and its symbol files, when saved. */
  raw?: Record<string, string> | null;
}

/** The copy in an output's JSON, if it is one this version reads. */
export function embeddedCopy(value: unknown): IEmbeddedCopy | null {
  const copy = value as IEmbeddedCopy | null | undefined;
  if (
    !copy ||
    typeof copy !== 'object' ||
    copy.format !== EMBED_FORMAT ||
    copy.version !== EMBED_VERSION ||
    copy.encoding !== 'gzip+base64' ||
    typeof copy.graph !== 'string'
  ) {
    return null;
  }
  return copy;
}

/** Whether the raw profile travelled with the copy. */
export function hasRawProfile(copy: IEmbeddedCopy): boolean {
  return !!copy.raw && typeof copy.raw['profile.prof'] === 'string';
}

/**
 * Past this a copy is not one the kernel wrote (its bound is hundreds of kB
 * compressed): a notebook from anywhere must not make the page inflate a
 * gzip bomb.
 */
export const MAX_INFLATED_BYTES = 256 * 1024 * 1024;

/** The bytes of a gzip+base64 text, refused past `limit` bytes inflated. */
export async function gunzipBase64(text: string, limit = MAX_INFLATED_BYTES): Promise<Uint8Array> {
  const binary = atob(text);
  const packed = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    packed[i] = binary.charCodeAt(i);
  }
  const reader = new Blob([packed]).stream().pipeThrough(new DecompressionStream('gzip')).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    size += value.length;
    if (size > limit) {
      await reader.cancel();
      throw new Error(`it inflates to more than ${limit} bytes`);
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** The Graph JSON of a copy; throws an Error saying what is wrong with it. */
export async function decodeGraph(copy: IEmbeddedCopy): Promise<IGraphJSON> {
  let graph: IGraphJSON;
  try {
    graph = JSON.parse(new TextDecoder().decode(await gunzipBase64(copy.graph))) as IGraphJSON;
  } catch (error) {
    throw new Error(`the copy of the profile saved in this output is damaged (${String(error)})`);
  }
  if (!graph || graph.format !== GRAPH_FORMAT || graph.version !== GRAPH_VERSION) {
    throw new Error('the copy of the profile saved in this output is of another version of jupyterlab-vmprof');
  }
  return graph;
}

/** One sentence on where the view's data comes from, and what the copy left out. */
export function copyNotice(copy: IEmbeddedCopy): string {
  const source =
    'This profile is not in the profile store of this server: shown from the copy saved in the notebook output.';
  const pruned = copy.pruned;
  if (!pruned) {
    return source;
  }
  return (
    `${source} The copy was pruned to fit the notebook: ${pruned.nodes} of ${pruned.nodesBefore} ` +
    `call-tree nodes under ${pruned.minSamples} samples are folded into "[pruned]" boxes, and per-line costs are left out.`
  );
}
