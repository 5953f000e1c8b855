/**
 * The browser's questions to the user before it changes the store: a new
 * name for a profile, and whether to delete one. Names go into dialogs as
 * text, never as HTML.
 */
import { Dialog, InputDialog, showDialog } from '@jupyterlab/apputils';

import type { IProfileMeta } from './profile-list';

/** The new name the user typed, or null when cancelled or unchanged. */
export async function askNewName(meta: IProfileMeta): Promise<string | null> {
  const result = await InputDialog.getText({
    title: 'Rename profile',
    label: 'New name',
    text: meta.name,
    okLabel: 'Rename'
  });
  const accepted = result.button.accept && result.value !== null && result.value.trim() !== meta.name;
  return accepted ? result.value : null;
}

/** Whether the user confirmed deleting the profile and its files (cannot be undone). */
export async function confirmDelete(meta: IProfileMeta): Promise<boolean> {
  const result = await showDialog({
    title: 'Delete profile',
    body: `Delete "${meta.name || meta.id}" (${meta.id}) and its files from the profile store? This cannot be undone.`,
    buttons: [Dialog.cancelButton(), Dialog.warnButton({ label: 'Delete' })],
    defaultButton: 0
  });
  return result.button.accept;
}
