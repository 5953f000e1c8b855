/**
 * The one list of file formats this project writes, with everything each
 * layer needs to know about them: the converter's `--format` names and
 * writers, the server's export route (download name, content type, cache
 * file extension), the command line's default suffix, and the labels of the
 * export menu and the command palette.
 *
 * Specs of the formats themselves are linked from each writer's first
 * comment. The Python side reads this list from `jupyterlab_vmprof/formats.json`,
 * which the build writes from it (`jlpm build:formats`,
 * src/node/emit-formats.ts); the settings schema's `defaultExportFormat`
 * enum is checked against it by a test.
 *
 * Adding a format: write `src/formats/<name>.ts` (model in, text out) and add
 * its entry here.
 */
import { toCallgrind } from './callgrind';
import { toCollapsed } from './collapsed';
import { toGraphJSON } from './graph-json';
import { toSpeedscope } from './speedscope';
import type { IGraphJSON } from '../model/graph-json';
import type { IProfile } from '../model/profile';
import type { ThreadFilter } from '../model/call-graph';
import type { IKernelThreads } from '../model/threads';

/** What a writer gets besides the profile. */
export interface IWriteContext {
  /** `jupyterlab-vmprof <version>`, for the formats that name their creator. */
  creator: string;
  /** The profile file's base name (speedscope shows it as the profile's name). */
  name: string;
  thread: ThreadFilter;
  /** The kernel's own threads, when known (src/model/threads.ts selectThreads). */
  kernelThreads?: IKernelThreads;
  /** Which threads the output holds, said in the formats' headers (describeSelection). */
  threads?: string;
  /** The same profile read with line numbers, for Graph JSON's per-line view. */
  lineProfile?: IProfile;
  /** Adds what only Node can read (source text) to Graph JSON. */
  addSources?: (graph: IGraphJSON) => void;
  /** Converter warnings, carried inside Graph JSON. */
  warnings: string[];
}

export interface IFormatInfo {
  /** The name in `--format`, in `export/<id>` and in settings. */
  readonly id: string;
  /** Short name in the export menu. */
  readonly label: string;
  /** The palette command's label. */
  readonly command: string;
  /** Tooltip: what the file is for. */
  readonly title: string;
  /** The download's file name; `{id}` is the profile id, `{tag}` the thread part. */
  readonly download: string;
  readonly contentType: string;
  /** `vmproftocallgrind`'s default output suffix (after the profile's stem). */
  readonly cliSuffix: string;
  /** Extension of the server's cached conversion. */
  readonly cacheExtension: string;
  /** Offered by the export buttons and route. */
  readonly exported: boolean;
  /** Made by the converter from the model; null for the raw file, served as recorded. */
  readonly write: ((profile: IProfile, context: IWriteContext) => string) | null;
}

export const FORMATS = [
  {
    id: 'callgrind',
    label: 'callgrind',
    command: 'Export Callgrind (KCachegrind)',
    title: 'callgrind.out file for KCachegrind, QCachegrind and callgrind_annotate',
    // KCachegrind recognises callgrind.out.* files by name.
    download: 'callgrind.out.{id}{tag}',
    contentType: 'application/octet-stream',
    cliSuffix: '.out',
    cacheExtension: '.callgrind',
    exported: true,
    write: (profile, context) =>
      toCallgrind(profile, { creator: context.creator, thread: context.thread, threads: context.threads })
  },
  {
    id: 'collapsed',
    label: 'collapsed stacks',
    command: 'Export Collapsed Stacks (flamegraph.pl)',
    // The file has no header its readers accept (collapsed.ts): the download's name says the threads.
    title: 'One line per stack (a;b;c 12), for flamegraph.pl, inferno and speedscope; the file name says which threads',
    download: '{id}{tag}.collapsed.txt',
    contentType: 'text/plain; charset=utf-8',
    cliSuffix: '.collapsed.txt',
    cacheExtension: '.txt',
    exported: true,
    write: (profile, context) => toCollapsed(profile, context.thread)
  },
  {
    id: 'speedscope',
    label: 'speedscope JSON',
    command: 'Export Speedscope JSON',
    title: 'speedscope.app file format (JSON)',
    download: '{id}{tag}.speedscope.json',
    contentType: 'application/json',
    cliSuffix: '.speedscope.json',
    cacheExtension: '.json',
    exported: true,
    write: (profile, context) =>
      JSON.stringify(
        toSpeedscope(profile, {
          // speedscope shows the name as the title: say there which threads the file holds.
          name: context.threads ? `${context.name} — ${context.threads}` : context.name,
          exporter: context.creator,
          thread: context.thread
        })
      )
  },
  {
    id: 'raw',
    label: 'raw vmprof profile',
    command: 'Export Raw vmprof File',
    title: 'The profile as vmprof wrote it (all threads), for vmprof tools',
    download: '{id}.prof',
    contentType: 'application/octet-stream',
    cliSuffix: '.prof',
    cacheExtension: '.prof',
    exported: true,
    write: null
  },
  {
    id: 'json',
    label: 'Graph JSON',
    command: 'Export Graph JSON',
    title: "The views' data: call tree, call graph, threads and timeline (docs/architecture.md)",
    download: '{id}{tag}.graph.json',
    contentType: 'application/json',
    cliSuffix: '.graph.json',
    cacheExtension: '.json',
    exported: false,
    write: (profile, context) => {
      const graph = toGraphJSON(profile, {
        creator: context.creator,
        thread: context.thread,
        kernelThreads: context.kernelThreads,
        lineProfile: context.lineProfile
      });
      graph.profile.warnings = context.warnings;
      context.addSources?.(graph);
      return JSON.stringify(graph);
    }
  }
] as const satisfies readonly IFormatInfo[];

/** Every format's id. */
export type FormatId = (typeof FORMATS)[number]['id'];

/** The formats of the export buttons and `GET profiles/<id>/export/<fmt>`. */
export type ExportFormat = Extract<(typeof FORMATS)[number], { exported: true }>['id'];

/** The formats the converter writes (`--format`). */
export type ConvertedFormat = Exclude<FormatId, Extract<(typeof FORMATS)[number], { write: null }>['id']>;

export const EXPORT_FORMATS: readonly ExportFormat[] = FORMATS.filter(f => f.exported).map(f => f.id as ExportFormat);

export const CONVERTED_FORMATS: readonly ConvertedFormat[] = FORMATS.filter(f => f.write !== null).map(
  f => f.id as ConvertedFormat
);

export function formatInfo(id: FormatId): IFormatInfo {
  const info = FORMATS.find(f => f.id === id);
  if (!info) {
    throw new Error(`unknown format ${id}`);
  }
  return info;
}

/** The download name of format `id` for profile `profileId`, with an optional thread part. */
export function downloadName(id: FormatId, profileId: string, tag = ''): string {
  return formatInfo(id).download.replace('{id}', profileId).replace('{tag}', tag);
}

/** What the Python side needs, without the writers (written to formats.json by the build). */
export function formatsForPython(): object {
  return {
    note: 'Written by the build from src/formats/registry.ts; do not edit.',
    formats: FORMATS.map(({ write, ...info }) => ({ ...info, converted: write !== null }))
  };
}
