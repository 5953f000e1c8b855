/**
 * The public types of the kernel client (options, results, errors) and the
 * conversion of kernel replies into them.
 */
import { CellOutput, errorOutputFrom, IErrorOutput } from './execute-outputs';
import { IJSONObject, IJupyterMessage } from './jupyter-wire';

/** Options for starting a new ipykernel. */
export interface IKernelStartOptions {
  /** Python interpreter with ipykernel; default $VMPROF_PYTHON, else python3. */
  python?: string;
  /** Extra environment variables for the kernel (added to this process's). */
  env?: Record<string, string | undefined>;
  /** Working directory of the kernel. */
  cwd?: string;
  /** How long the kernel may take to answer its first kernel_info_request. */
  startTimeoutMs?: number;
}

/** Options for connecting to a kernel someone else started. */
export interface IKernelConnectOptions {
  /** How long the kernel may take to answer kernel_info_request. */
  connectTimeoutMs?: number;
  /** Watch the heartbeat channel to notice the kernel dying (default true). */
  heartbeat?: boolean;
}

/** Options for one execute request. */
export interface IExecuteOptions {
  /** Give up (and interrupt the kernel) after this long; default 10 minutes. */
  timeoutMs?: number;
  /** Record the code in the kernel's history (default true, like a notebook). */
  storeHistory?: boolean;
}

/** What running one cell gave. */
export interface IExecuteResult {
  /** "ok", "error" (the code raised) or "aborted" (skipped after an earlier error). */
  status: 'ok' | 'error' | 'aborted';
  executionCount: number | null;
  outputs: CellOutput[];
  /** The exception, when status is "error". */
  error?: IErrorOutput;
}

/** The kernel's kernel_info_reply, with the fields callers commonly need. */
export interface IKernelInfo {
  protocolVersion: string;
  implementation: string;
  languageName: string;
  /** The whole reply content. */
  content: IJSONObject;
}

/** The kernel process died or stopped answering. */
export class KernelDiedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelDiedError';
  }
}

/** A request got no (complete) answer in time. */
export class KernelTimeoutError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KernelTimeoutError';
  }
}

/** Whether this iopub message says the kernel finished handling its parent request. */
export function isIdleStatus(message: IJupyterMessage): boolean {
  return message.header.msg_type === 'status' && message.content.execution_state === 'idle';
}

/** The result of an execute request from its execute_reply and the outputs collected. */
export function executeResultFrom(reply: IJupyterMessage, outputs: CellOutput[]): IExecuteResult {
  const content = reply.content;
  const status = content.status === 'error' || content.status === 'aborted' ? content.status : 'ok';
  const result: IExecuteResult = {
    status,
    executionCount: typeof content.execution_count === 'number' ? content.execution_count : null,
    outputs
  };
  if (status === 'error') {
    // The iopub error output carries the traceback as shown; the reply is the fallback.
    const shown = outputs.filter((output): output is IErrorOutput => output.output_type === 'error');
    result.error = shown[shown.length - 1] ?? errorOutputFrom(content);
  }
  return result;
}

/** The kernel_info_reply content, with the common fields picked out. */
export function kernelInfoFrom(content: IJSONObject): IKernelInfo {
  const languageInfo = content.language_info;
  const languageName =
    languageInfo && typeof languageInfo === 'object' && !Array.isArray(languageInfo)
      ? String(languageInfo.name ?? '')
      : '';
  return {
    protocolVersion: String(content.protocol_version ?? ''),
    implementation: String(content.implementation ?? ''),
    languageName,
    content
  };
}
