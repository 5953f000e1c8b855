/**
 * The notices under a profile output's toolbar: the warnings list (the
 * kernel's notes, the converter's warnings) and the error alert. DOM only;
 * texts are set as text, never as HTML.
 */
import { APIError } from '../handler';
import type { IProfileOutput } from '../tokens';
import { element } from './dom';

const INTERRUPTED_NOTE = 'Interrupted: the cell was stopped; the profile covers it up to the stop.';

export class Notices {
  /** The warnings, one item each, repeats shown once; hidden when there are none. */
  readonly warnings = element('ul', 'jp-vmprof-warnings');
  /** Why the profile cannot be shown; hidden when nothing failed. */
  readonly error = element('div', 'jp-vmprof-error jp-vmprof-profile-error');

  constructor() {
    this.error.setAttribute('role', 'alert');
    this.error.hidden = true;
  }

  setWarnings(warnings: string[]): void {
    const unique = Array.from(new Set(warnings.filter(w => typeof w === 'string' && w)));
    this.warnings.replaceChildren(...unique.map(w => element('li', 'jp-vmprof-warning', w)));
    this.warnings.hidden = unique.length === 0;
  }

  fail(message: string): void {
    this.error.textContent = message;
    this.error.hidden = false;
  }

  clearError(): void {
    this.error.textContent = '';
    this.error.hidden = true;
  }
}

/** The kernel's warnings and notes (--fork keeps no variables, a crash explained) for the warnings list. */
export function outputNotes(output: IProfileOutput | null): string[] {
  const notes = (output as { notes?: unknown } | null)?.notes;
  const stopped = output?.status === 'interrupted' ? [INTERRUPTED_NOTE] : [];
  return [...stopped, ...(Array.isArray(notes) ? notes : []), ...(output?.warnings ?? [])];
}

/** An error's message, or the thrown value as text. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What the output says when its graph could not be fetched. */
export function loadFailure(error: unknown): string {
  if (error instanceof APIError && error.status === 404) {
    return `This profile is no longer in the profile store (deleted, or the store moved). Server: ${error.message}`;
  }
  return `Could not load the profile's call graph: ${errorText(error)}`;
}
