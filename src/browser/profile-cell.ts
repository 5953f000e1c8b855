/**
 * "Profile cell": run the selected code cell under `%%vmprof` without
 * touching its source. The code goes to the notebook's kernel with the magic
 * line in front, and the execution's future is handed to the cell's own
 * OutputArea, which routes the outputs (streams, the profile display, errors,
 * clear_output, input requests) into the cell exactly as a normal run would.
 *
 * The notebook widgets are described by the few members used here rather than
 * imported, so this extension needs no dependency on @jupyterlab/notebook.
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { Kernel, KernelMessage } from '@jupyterlab/services';
import type { Widget } from '@lumino/widgets';

/** The parts of a CodeCell this command uses. */
interface ICodeCellLike extends Widget {
  model: {
    type: string;
    sharedModel: { getSource(): string };
    executionCount: number | null;
    trusted: boolean;
  };
  outputArea: {
    future: Kernel.IShellFuture<
      KernelMessage.IExecuteRequestMsg,
      KernelMessage.IExecuteReplyMsg
    > | null;
  };
  setPrompt?(value: string): void;
}

/** The parts of a NotebookPanel this command uses. */
export interface INotebookPanelLike extends Widget {
  sessionContext: ISessionContext;
  content: { activeCell: Widget | null };
}

/** Whether `widget` looks like a NotebookPanel (what the widget extension saw). */
export function isNotebookPanel(widget: Widget | null | undefined): widget is INotebookPanelLike {
  const candidate = widget as Partial<INotebookPanelLike> | null | undefined;
  return !!candidate && !!candidate.sessionContext && !!candidate.content && 'activeCell' in candidate.content;
}

/** The first line of the magic, so a cell that already has it is not given two. */
const MAGIC_LINE = /^\s*%%vmprof\b/;

/** The code sent to the kernel for a cell source. */
export function profiledSource(source: string): string {
  return MAGIC_LINE.test(source) ? source : `%%vmprof\n${source}`;
}

/**
 * Profile the active cell of `panel`; resolves when the kernel replied.
 * @throws Error with a message for the user when it cannot run.
 */
export async function profileActiveCell(panel: INotebookPanelLike): Promise<void> {
  const cell = panel.content.activeCell as ICodeCellLike | null;
  if (!cell || cell.model.type !== 'code' || !cell.outputArea) {
    throw new Error('Select a code cell to profile.');
  }
  const kernel = panel.sessionContext.session?.kernel;
  if (!kernel) {
    throw new Error('The notebook has no running kernel.');
  }
  const source = cell.model.sharedModel.getSource();
  cell.model.executionCount = null;
  cell.setPrompt?.('*');
  // Executed by the user, so its outputs are trusted like any run cell's.
  cell.model.trusted = true;
  const future = kernel.requestExecute({
    code: profiledSource(source),
    silent: false,
    store_history: true,
    stop_on_error: true,
    allow_stdin: true
  });
  // Setting the future clears the outputs and routes every IOPub message.
  cell.outputArea.future = future;
  try {
    const reply = await future.done;
    const count = reply?.content.execution_count ?? null;
    cell.model.executionCount = count;
    if (count === null) {
      cell.setPrompt?.('');
    }
  } catch (error) {
    cell.setPrompt?.('');
    throw error;
  }
}
