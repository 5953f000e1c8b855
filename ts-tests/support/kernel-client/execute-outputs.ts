/**
 * Turning the iopub messages of one execute request into nbformat-style
 * outputs, the way a notebook would store them.
 */
import { IJSONObject, IJupyterMessage, JSONValue } from './jupyter-wire';

/** A MIME bundle: MIME type → data (a string, or JSON for +json types). */
export type MimeBundle = Record<string, JSONValue>;

export interface IStreamOutput {
  output_type: 'stream';
  name: 'stdout' | 'stderr';
  text: string;
}

export interface IDisplayDataOutput {
  output_type: 'display_data';
  data: MimeBundle;
  metadata: IJSONObject;
}

export interface IExecuteResultOutput {
  output_type: 'execute_result';
  execution_count: number | null;
  data: MimeBundle;
  metadata: IJSONObject;
}

/** An exception raised by the cell. */
export interface IErrorOutput {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}

export type CellOutput = IStreamOutput | IDisplayDataOutput | IExecuteResultOutput | IErrorOutput;

/**
 * Accumulates outputs from iopub messages. Handles the messages that change
 * earlier outputs too: clear_output and update_display_data.
 */
export class OutputCollector {
  private readonly collected: CellOutput[] = [];
  /** display_id → the outputs showing it, for update_display_data. */
  private readonly byDisplayId = new Map<string, Array<IDisplayDataOutput | IExecuteResultOutput>>();
  /** clear_output(wait=True): clear when the next output arrives, not now. */
  private clearBeforeNextOutput = false;

  get outputs(): CellOutput[] {
    return this.collected;
  }

  /** Takes one iopub message; ignores types that are not outputs (status, execute_input…). */
  handle(message: IJupyterMessage): void {
    const content = message.content;
    switch (message.header.msg_type) {
      case 'stream':
        this.add({
          output_type: 'stream',
          name: content.name === 'stderr' ? 'stderr' : 'stdout',
          text: asString(content.text)
        });
        break;
      case 'display_data':
        this.addDisplay(
          { output_type: 'display_data', data: asObject(content.data), metadata: asObject(content.metadata) },
          content
        );
        break;
      case 'execute_result':
        this.addDisplay(
          {
            output_type: 'execute_result',
            execution_count: typeof content.execution_count === 'number' ? content.execution_count : null,
            data: asObject(content.data),
            metadata: asObject(content.metadata)
          },
          content
        );
        break;
      case 'error':
        this.add(errorOutputFrom(content));
        break;
      case 'update_display_data':
        this.updateDisplay(content);
        break;
      case 'clear_output':
        this.clear(content.wait === true);
        break;
    }
  }

  private add(output: CellOutput): void {
    if (this.clearBeforeNextOutput) {
      this.clear(false);
    }
    const last = this.collected[this.collected.length - 1];
    // Notebooks store consecutive prints to the same stream as one output.
    if (output.output_type === 'stream' && last?.output_type === 'stream' && last.name === output.name) {
      last.text += output.text;
      return;
    }
    this.collected.push(output);
  }

  private addDisplay(output: IDisplayDataOutput | IExecuteResultOutput, content: IJSONObject): void {
    this.add(output);
    const displayId = displayIdOf(content);
    if (displayId !== undefined) {
      const shown = this.byDisplayId.get(displayId) ?? [];
      shown.push(output);
      this.byDisplayId.set(displayId, shown);
    }
  }

  private updateDisplay(content: IJSONObject): void {
    const displayId = displayIdOf(content);
    for (const output of displayId === undefined ? [] : this.byDisplayId.get(displayId) ?? []) {
      output.data = asObject(content.data);
      output.metadata = asObject(content.metadata);
    }
  }

  private clear(wait: boolean): void {
    if (wait) {
      this.clearBeforeNextOutput = true;
      return;
    }
    this.clearBeforeNextOutput = false;
    this.collected.length = 0;
    this.byDisplayId.clear();
  }
}

/** An error output from the content of an `error` message or an error execute_reply. */
export function errorOutputFrom(content: IJSONObject): IErrorOutput {
  const traceback = Array.isArray(content.traceback) ? content.traceback.map(asString) : [];
  return {
    output_type: 'error',
    ename: asString(content.ename),
    evalue: asString(content.evalue),
    traceback
  };
}

function displayIdOf(content: IJSONObject): string | undefined {
  const transient = content.transient;
  if (transient && typeof transient === 'object' && !Array.isArray(transient)) {
    const id = transient.display_id;
    return typeof id === 'string' ? id : undefined;
  }
  return undefined;
}

function asString(value: JSONValue | undefined): string {
  if (typeof value === 'string') {
    return value;
  }
  // nbformat allows multi-line strings as arrays of lines.
  return Array.isArray(value) ? value.map(asString).join('') : '';
}

function asObject(value: JSONValue | undefined): IJSONObject {
  return value && typeof value === 'object' && !Array.isArray(value) ? value : {};
}
