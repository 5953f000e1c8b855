/**
 * Headless profiling of a whole notebook:
 *
 *   node lib-node/run-notebook.js NOTEBOOK.ipynb [--profile-all] [--python PY]
 *        [--timeout SECONDS] [--continue-on-error] [-o EXECUTED.ipynb]
 *
 * Starts a kernel, loads the %%vmprof magic, runs the code cells in order
 * and prints one line per cell with its profile id and status. Exits 1 if a
 * cell raised, 2 if the notebook could not be run at all.
 */
import { promises as fs } from 'node:fs';
import { dirname, resolve } from 'node:path';

import {
  CellOutput,
  IErrorOutput,
  IExecuteResult,
  IJSONObject,
  JSONValue,
  KernelClient
} from './kernel-client';

/** The MIME type of the bundle %%vmprof displays (docs/architecture.md). */
export const PROFILE_MIME = 'application/vnd.jupyterlab-vmprof.profile+json';

export interface IRunNotebookOptions {
  notebookPath: string;
  /** Python with ipykernel and jupyterlab_vmprof; default $VMPROF_PYTHON, else python3. */
  python?: string;
  /** Profile every code cell, not only those starting with %%vmprof. */
  profileAll?: boolean;
  /** Time limit for each cell. */
  cellTimeoutMs?: number;
  /** Run the remaining cells after one raised (default: stop, like nbconvert). */
  continueOnError?: boolean;
  /** Write the notebook with its new outputs here. */
  outputPath?: string;
  /** Extra environment for the kernel (e.g. JUPYTERLAB_VMPROF_STORE). */
  env?: Record<string, string | undefined>;
  /** Where each summary line goes (default: stdout). */
  log?: (line: string) => void;
}

/** The profile part of the MIME bundle. */
export interface IProfileSummary {
  id: string;
  status: string;
  samples: number | null;
  durationS: number | null;
}

/** What happened to one code cell. */
export interface ICellSummary {
  /** 1-based position of the cell in the notebook (markdown cells count). */
  cellNumber: number;
  status: IExecuteResult['status'];
  profile: IProfileSummary | null;
  /** "ename: evalue" when the cell raised. */
  error: string | null;
}

export interface INotebookRunSummary {
  cells: ICellSummary[];
  /** Whether some cell raised. */
  failed: boolean;
}

interface INotebookCell extends IJSONObject {
  cell_type: string;
  source: string | string[];
}

/** Runs the notebook; resolves with one summary per code cell that was run. */
export async function runNotebook(options: IRunNotebookOptions): Promise<INotebookRunSummary> {
  const notebookPath = resolve(options.notebookPath);
  const notebook = await readNotebook(notebookPath);
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const kernel = await KernelClient.start({
    python: options.python,
    cwd: dirname(notebookPath),
    // Jupyter server tells kernels their notebook this way; the magic may record it.
    env: { JPY_SESSION_NAME: notebookPath, ...options.env }
  });
  const summary: INotebookRunSummary = { cells: [], failed: false };
  try {
    await loadProfilerExtension(kernel);
    for (const [index, cell] of notebook.cells.entries()) {
      if (cell.cell_type !== 'code') {
        continue;
      }
      const cellNumber = index + 1;
      const code = codeToRun(sourceText(cell.source), cellNumber, options.profileAll ?? false);
      const result = await kernel.execute(code, { timeoutMs: options.cellTimeoutMs });
      recordOutputs(cell, result);
      const cellSummary = summarizeCell(cellNumber, result);
      summary.cells.push(cellSummary);
      log(formatCellSummary(cellSummary));
      if (cellSummary.status === 'error') {
        summary.failed = true;
        if (!options.continueOnError) {
          break;
        }
      }
    }
  } finally {
    await kernel.shutdown();
  }
  if (options.outputPath !== undefined) {
    await fs.writeFile(options.outputPath, JSON.stringify(notebook.json, null, 1) + '\n');
  }
  return summary;
}

/**
 * The code to execute for a cell: unchanged, or with %%vmprof on top when
 * profiling everything. Cells with another cell magic (%%bash…) are not
 * Python and stay as they are.
 */
export function codeToRun(source: string, cellNumber: number, profileAll: boolean): string {
  const firstLine = source.trimStart().split('\n', 1)[0];
  if (!profileAll || firstLine.startsWith('%%')) {
    return source;
  }
  return `%%vmprof --name cell-${cellNumber}\n${source}`;
}

/** The profile announced in a cell's outputs, if any. */
export function findProfile(outputs: CellOutput[]): IProfileSummary | null {
  for (const output of outputs) {
    if (output.output_type !== 'display_data' && output.output_type !== 'execute_result') {
      continue;
    }
    const bundle = output.data[PROFILE_MIME];
    if (bundle && typeof bundle === 'object' && !Array.isArray(bundle) && typeof bundle.id === 'string') {
      return {
        id: bundle.id,
        status: typeof bundle.status === 'string' ? bundle.status : 'unknown',
        samples: typeof bundle.samples === 'number' ? bundle.samples : null,
        durationS: typeof bundle.duration_s === 'number' ? bundle.duration_s : null
      };
    }
  }
  return null;
}

/** One line, e.g. "cell 3: ok, profile 20261125T101500-0a1b2c3d complete (1.20 s, 287 samples)". */
export function formatCellSummary(cell: ICellSummary): string {
  const parts = [`cell ${cell.cellNumber}: ${cell.error === null ? cell.status : `error ${cell.error}`}`];
  if (cell.profile !== null) {
    const details = [
      cell.profile.durationS === null ? null : `${cell.profile.durationS.toFixed(2)} s`,
      cell.profile.samples === null ? null : `${cell.profile.samples} samples`
    ].filter((detail): detail is string => detail !== null);
    const suffix = details.length > 0 ? ` (${details.join(', ')})` : '';
    parts.push(`profile ${cell.profile.id} ${cell.profile.status}${suffix}`);
  }
  return parts.join(', ');
}

function summarizeCell(cellNumber: number, result: IExecuteResult): ICellSummary {
  const error = result.error ?? shownError(result.outputs);
  return {
    cellNumber,
    // A magic may show the cell's exception yet let the request succeed;
    // for the user the cell still failed.
    status: error === undefined ? result.status : 'error',
    profile: findProfile(result.outputs),
    error: error === undefined ? null : `${error.ename}: ${error.evalue}`
  };
}

function shownError(outputs: CellOutput[]): IErrorOutput | undefined {
  return outputs.find((output): output is IErrorOutput => output.output_type === 'error');
}

async function loadProfilerExtension(kernel: KernelClient): Promise<void> {
  const loaded = await kernel.execute('%load_ext jupyterlab_vmprof', {
    storeHistory: false,
    timeoutMs: 60_000
  });
  if (loaded.status !== 'ok') {
    const why = loaded.error ? `${loaded.error.ename}: ${loaded.error.evalue}` : loaded.status;
    throw new Error(`could not load the jupyterlab_vmprof extension in the kernel (${why})`);
  }
}

async function readNotebook(path: string): Promise<{ json: IJSONObject; cells: INotebookCell[] }> {
  const json: unknown = JSON.parse(await fs.readFile(path, 'utf8'));
  if (json === null || typeof json !== 'object' || !Array.isArray((json as IJSONObject).cells)) {
    throw new Error(`${path}: not a notebook (no "cells" list)`);
  }
  const notebook = json as IJSONObject & { cells: JSONValue[] };
  const cells = notebook.cells.filter(isCell);
  return { json: notebook, cells };
}

function isCell(value: JSONValue): value is INotebookCell {
  return (
    value !== null &&
    typeof value === 'object' &&
    !Array.isArray(value) &&
    typeof value.cell_type === 'string' &&
    (typeof value.source === 'string' || Array.isArray(value.source))
  );
}

function sourceText(source: string | string[]): string {
  // nbformat stores multi-line sources as a list of lines that keep their "\n".
  return Array.isArray(source) ? source.join('') : source;
}

function recordOutputs(cell: INotebookCell, result: IExecuteResult): void {
  cell.outputs = result.outputs.map(output => ({ ...output }) as IJSONObject);
  cell.execution_count = result.executionCount;
}

interface ICommandLine {
  options: IRunNotebookOptions | null;
  usageError: string | null;
}

const USAGE =
  'usage: run-notebook NOTEBOOK.ipynb [--profile-all] [--python PYTHON] [--timeout SECONDS]\n' +
  '                    [--continue-on-error] [-o OUTPUT.ipynb]';

/** Parses the command line; `options` is null when only help was asked for. */
export function parseCommandLine(args: string[]): ICommandLine {
  const options: Partial<IRunNotebookOptions> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const needsValue = ['--python', '-o', '--output', '--timeout'].includes(arg);
    if (needsValue && args[i + 1] === undefined) {
      return { options: null, usageError: `${arg} needs a value` };
    }
    const takeValue = (): string => args[++i];
    switch (arg) {
      case '-h':
      case '--help':
        return { options: null, usageError: null };
      case '--profile-all':
        options.profileAll = true;
        break;
      case '--continue-on-error':
        options.continueOnError = true;
        break;
      case '--python':
        options.python = takeValue();
        break;
      case '-o':
      case '--output':
        options.outputPath = takeValue();
        break;
      case '--timeout': {
        const seconds = Number(takeValue());
        if (!(seconds > 0)) {
          return { options: null, usageError: '--timeout needs a positive number of seconds' };
        }
        options.cellTimeoutMs = seconds * 1000;
        break;
      }
      default:
        if (arg.startsWith('-') || options.notebookPath !== undefined) {
          return { options: null, usageError: `unexpected argument: ${arg}` };
        }
        options.notebookPath = arg;
    }
  }
  if (options.notebookPath === undefined) {
    return { options: null, usageError: 'no notebook given' };
  }
  return { options: { ...options, notebookPath: options.notebookPath }, usageError: null };
}

/** The command-line entry point; resolves with the exit code. */
export async function main(args: string[]): Promise<number> {
  const { options, usageError } = parseCommandLine(args);
  if (options === null) {
    (usageError === null ? process.stdout : process.stderr).write(
      usageError === null ? `${USAGE}\n` : `run-notebook: ${usageError}\n${USAGE}\n`
    );
    return usageError === null ? 0 : 2;
  }
  try {
    const summary = await runNotebook(options);
    return summary.failed ? 1 : 0;
  } catch (error) {
    process.stderr.write(`run-notebook: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then(code => {
    process.exitCode = code;
  });
}
