/**
 * A profile output while its cell runs (kernel/progress.py): how far it got,
 * and what became of it when no final output comes, because the kernel died
 * mid-cell, or the notebook was saved and reopened meanwhile. Then the server
 * knows: it lists a profile whose kernel is gone as interrupted, and the
 * output shows what was sampled before, with that explanation, in the cell
 * that crashed.
 */
import { requestAPI } from '../handler';
import type { IProfileOutput } from '../tokens';
import { formatCount } from './format';

/** kernel/progress.py's `progress` in a running output. */
export interface IProgress {
  elapsed_s: number;
  samples: number | null;
}

export const KERNEL_DIED_NOTE =
  'The kernel stopped while this cell ran (a crash in native code, out of memory, a restart or a kill): ' +
  'the profile keeps what was sampled before, and is listed as interrupted.';

/** `Profiling… 12 s so far, about 3,100 samples`. */
export function progressText(output: IProfileOutput): string {
  const progress = (output as { progress?: IProgress }).progress;
  if (!progress || typeof progress.elapsed_s !== 'number') {
    return 'Profiling…';
  }
  const samples = typeof progress.samples === 'number' ? `, about ${formatCount(progress.samples)} samples` : '';
  return `Profiling… ${Math.round(progress.elapsed_s)} s so far${samples}`;
}

/** What the server says of a running output's profile: `running` while its kernel lives. */
export type ServerStatus = 'running' | 'complete' | 'failed' | 'interrupted' | 'unknown';

/**
 * Asks the server every `intervalMs` about a profile shown as running, until
 * its status is anything else (or stop()); then calls `settled` once.
 */
export class RunningWatch {
  constructor(
    readonly id: string,
    private readonly settled: (status: ServerStatus, error: string | null) => void,
    private readonly intervalMs = 2000
  ) {
    void this._poll();
  }

  stop(): void {
    this._stopped = true;
    if (this._timer !== null) {
      clearTimeout(this._timer);
      this._timer = null;
    }
  }

  private async _poll(): Promise<void> {
    let status: ServerStatus = 'unknown';
    let error: string | null = null;
    try {
      const meta = await requestAPI<{ status?: string; error?: string | null }>(
        `profiles/${encodeURIComponent(this.id)}`
      );
      status = (['running', 'complete', 'failed', 'interrupted'] as const).find(s => s === meta.status) ?? 'unknown';
      error = typeof meta.error === 'string' ? meta.error : null;
    } catch {
      status = 'running'; // not in this server's store (yet): the kernel's final output will tell
    }
    if (this._stopped) {
      return;
    }
    if (status === 'running') {
      this._timer = setTimeout(() => void this._poll(), this.intervalMs);
      return;
    }
    this._stopped = true;
    this.settled(status, error);
  }

  private _stopped = false;
  private _timer: ReturnType<typeof setTimeout> | null = null;
}
