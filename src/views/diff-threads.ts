/**
 * The Compare view's kernel-threads switch: whether it is offered, and what
 * it says about each side. Pure: no DOM. A cell's profile leaves its
 * kernel's own threads (heartbeat, IOPub, control, history) out by default,
 * as the profile output does; the switch asks the server for both sides with
 * them (`kernel_threads=true`), so each side's percentages are of the
 * samples it then shows and still add up to 100.
 */
import type { IDiffJSON, IDiffSide } from '../model/diff-json';
import { kernelThreadsText } from './threads';

export interface IDiffThreadsChoice {
  /** Offered when either side recorded its cell's threads and its kernel's own had samples. */
  offered: boolean;
  /** The kernel's threads are in each side's samples. */
  included: boolean;
  /** `A: 3 kernel threads hidden, 21 samples · B: none hidden`; '' when not offered. */
  note: string;
}

/** The switch for `diff`; whether the kernel's threads are in is read from the sides. */
export function diffThreadsChoice(diff: IDiffJSON): IDiffThreadsChoice {
  const kernel = diff.a.kernelThreads ?? diff.b.kernelThreads;
  if (!kernel) {
    return { offered: false, included: false, note: '' };
  }
  const included = kernel.included;
  return { offered: true, included, note: `A: ${sideNote(diff.a, included)} · B: ${sideNote(diff.b, included)}` };
}

function sideNote(side: IDiffSide, included: boolean): string {
  const kernel = side.kernelThreads;
  if (!kernel) {
    return included ? 'none to include' : 'none hidden';
  }
  return kernelThreadsText(kernel);
}
