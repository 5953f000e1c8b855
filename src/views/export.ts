/**
 * Export requests and file names. Pure: no DOM, no fetch.
 *
 * The server's export route takes the graph's `thread` option, so an export
 * of a one-thread view holds the same samples as the view (the raw profile
 * is the file as recorded: always every thread).
 */
import { ExportFormat, downloadName, formatInfo } from '../formats/registry';
import { KERNEL_THREADS, graphQuery } from './threads';

/** The export menu's short name of a format. */
export function exportLabel(format: ExportFormat): string {
  return formatInfo(format).label;
}

/** What a format's file is for (tooltips). */
export function exportTitle(format: ExportFormat): string {
  return formatInfo(format).title;
}

/**
 * The request path of an export of profile `id` for `thread` (null: all
 * threads, the cell's when the kernel's are known; KERNEL_THREADS: every thread).
 */
export function exportPath(id: string, format: ExportFormat, thread: string | null, process = 'kernel'): string {
  const query = format === 'raw' ? graphQuery(null, { process }) : graphQuery(thread, { process });
  return `profiles/${encodeURIComponent(id)}/export/${format}${query}`;
}

/** The server's download names (the registry's), plus the thread when one is chosen. */
export function exportFileName(id: string, format: ExportFormat, thread: string | null, process = 'kernel'): string {
  const processTag = process !== 'kernel' ? `.${process}` : '';
  const tag =
    format === 'raw' || !thread
      ? ''
      : thread === KERNEL_THREADS
        ? '.with-kernel-threads'
        : `.thread-${fileSafe(thread)}`;
  return downloadName(format, id, processTag + tag);
}

/**
 * A file name part from a profile name: letters, digits, '.', '_' and '-'
 * kept, runs of anything else become one '-', at most 80 characters; ''
 * when nothing is left (then the id is used).
 */
export function fileSafe(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[-.]+|-+$/g, '')
    .slice(0, 80);
}

/**
 * Where "Save callgrind next to the notebook" writes: the notebook's folder
 * (a server-relative path, '/'-separated), file `callgrind.out.<name or id>`.
 */
export function callgrindPathNextTo(notebookPath: string, profileName: string, id: string): string {
  const slash = notebookPath.lastIndexOf('/');
  const folder = slash >= 0 ? notebookPath.slice(0, slash) : '';
  const file = `callgrind.out.${fileSafe(profileName) || id}`;
  return folder ? `${folder}/${file}` : file;
}

/**
 * A notebook path as the Contents API wants it (relative to the server
 * root, '/'-separated): the kernel may record an absolute path. Null when
 * an absolute path is outside `serverRoot` (nowhere the workspace can write).
 */
export function contentsPath(notebookPath: string, serverRoot: string): string | null {
  const path = notebookPath.replace(/\\/g, '/');
  if (!path.startsWith('/') && !/^[A-Za-z]:\//.test(path)) {
    return path;
  }
  const root = serverRoot.replace(/\\/g, '/').replace(/\/+$/, '');
  if (root && path.startsWith(root + '/')) {
    return path.slice(root.length + 1);
  }
  return null;
}
