/**
 * The process chooser of a `%%vmprof --workers` profile: the kernel, all Dask
 * workers merged, or one worker (the server's `process` option,
 * server/parts.py). Pure: no DOM; option texts are plain text.
 */
import type { IWorkerPart } from '../tokens';

export interface IProcessOption {
  /** The server's `process` value: kernel, workers or worker-<n>. */
  value: string;
  text: string;
  title: string;
  /** A worker whose part holds no profile (it died, or vmprof could not start there). */
  disabled: boolean;
}

/** `2 Dask workers` (and how many died) for the profile browser's row; '' without workers. */
export function workersText(workers: readonly IWorkerPart[] | null | undefined): string {
  if (!workers || workers.length === 0) {
    return '';
  }
  const died = workers.filter(w => w.status === 'died').length;
  const count = `${workers.length} Dask ${workers.length === 1 ? 'worker' : 'workers'}`;
  return died > 0 ? `${count} (${died} died)` : count;
}

/** One line per worker for a tooltip: address, host, status. */
export function workersTooltip(workers: readonly IWorkerPart[] | null | undefined): string {
  return (workers ?? []).map(w => `${w.address}${w.host ? ` (${w.host})` : ''}: ${w.status}`).join('\n');
}

/** The kernel and the workers of an output; [] when the cell profiled no workers. */
export function processOptions(workers: readonly IWorkerPart[] | null | undefined): IProcessOption[] {
  if (!workers || workers.length === 0) {
    return [];
  }
  const profiled = workers.filter(w => w.status === 'complete' || w.status === 'failed' || w.status === 'interrupted');
  const withProfile = (w: IWorkerPart) => w.status !== 'died' && !w.error?.startsWith('vmprof could not start');
  return [
    { value: 'kernel', text: 'kernel', title: 'The notebook kernel, where the cell ran', disabled: false },
    {
      value: 'workers',
      text: `all workers (${profiled.filter(withProfile).length} of ${workers.length})`,
      title: 'Every Dask worker profiled, merged: threads are named by worker',
      disabled: !workers.some(withProfile)
    },
    ...workers.map((w, index) => {
      const where = w.address.replace(/^[a-z]+:\/\//, '');
      const state = withProfile(w) ? '' : ` — ${w.status}`;
      return {
        value: `worker-${index}`,
        text: `worker ${index} (${where}${w.host ? `, ${w.host}` : ''})${state}`,
        title: w.error ?? `Dask worker ${w.address}${w.pid ? `, pid ${w.pid}` : ''}`,
        disabled: !withProfile(w)
      };
    })
  ];
}
