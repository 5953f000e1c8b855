/**
 * Where a profile output's Graph JSON comes from: the server's profile store or,
 * when the store lacks the profile (a notebook run on another machine), the copy
 * saved in the output, which holds the kernel's cell threads only. Thread names
 * come from the profile's meta.json, fetched once per profile.
 */
import { APIError, requestAPI } from '../handler';
import { GRAPH_FORMAT, GRAPH_VERSION, IGraphJSON } from '../model/graph-json';
import type { IProfileOutput } from '../tokens';
import type { CopyBar } from './copy-bar';
import { decodeGraph } from './embedded';
import { notebookPathOf } from './export-menu';
import { KERNEL_THREADS, graphPath } from './threads';
import { IThreadNames, threadNamesFromMeta, withThreadNames } from './thread-names';

/** What an output asks for: its profile, a thread (null: the default selection), a process. */
export interface IGraphRequest {
  output: IProfileOutput;
  thread: string | null;
  process: string;
  /** The output's node, to find the notebook the copy was saved in. */
  node: HTMLElement;
}

export class GraphSource {
  constructor(private readonly _copyBar: CopyBar) {}

  /** The Graph JSON, with the kernel's thread names; shows or hides the copy bar. */
  async fetch(request: IGraphRequest): Promise<IGraphJSON> {
    const graph = await this._fetchGraph(request);
    return withThreadNames(graph, await this._threadNamesOf(request.output.id));
  }

  /** The kernel's thread names (meta.json), fetched once per profile; none when unreadable. */
  private _threadNamesOf(id: string): Promise<IThreadNames> {
    if (this._threadNames?.id !== id) {
      const names = requestAPI<unknown>(`profiles/${encodeURIComponent(id)}`)
        .then(threadNamesFromMeta)
        .catch(() => threadNamesFromMeta(null));
      this._threadNames = { id, names };
    }
    return this._threadNames.names;
  }

  private async _fetchGraph({ output, thread, process, node }: IGraphRequest): Promise<IGraphJSON> {
    try {
      const graph = await requestAPI<IGraphJSON>(graphPath(output.id, thread, { process }));
      this._copyBar.hide();
      return graph;
    } catch (error) {
      const copy = this._copyBar.copyOf(output);
      if (!(error instanceof APIError && error.status === 404) || !copy) {
        throw error;
      }
      if (process !== 'kernel') {
        throw new Error("the copy saved in the notebook holds the kernel's profile only; import it to see the workers");
      }
      if (thread === KERNEL_THREADS) {
        throw new Error("the copy saved in the notebook holds the cell's threads; import it to see the kernel's too");
      }
      if (thread !== null) {
        throw new Error('the copy saved in the notebook holds all threads together; import it to see one thread');
      }
      const graph = await decodeGraph(copy);
      this._copyBar.show(output, copy, notebookPathOf(node));
      return graph;
    }
  }

  private _threadNames: { id: string; names: Promise<IThreadNames> } | null = null;
}

/** Why this version of the extension cannot read `graph`, or null when it can. */
export function unreadableGraph(graph: IGraphJSON | null | undefined): string | null {
  if (graph && graph.format === GRAPH_FORMAT && graph.version === GRAPH_VERSION) {
    return null;
  }
  return (
    `The server sent a call graph this version of the extension cannot read (format ${String(graph?.format)} ` +
    `version ${String(graph?.version)}, expected ${GRAPH_FORMAT} ${GRAPH_VERSION}). Rebuild or reinstall jupyterlab-vmprof.`
  );
}
