/**
 * A small Jupyter kernel client for Node: starts an ipykernel (or connects to
 * a running kernel from its connection file), executes code and collects the
 * outputs as a notebook would store them.
 *
 * Every wait has a timeout and every pending request fails as soon as the
 * kernel is known to be dead, so callers never hang.
 *
 *   const kernel = await KernelClient.start({ python: '.venv/bin/python' });
 *   const result = await kernel.execute('print(6 * 7)');
 *   await kernel.shutdown();
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  IConnectionInfo,
  newLocalConnectionInfo,
  readConnectionFile,
  writeConnectionFile
} from './connection-file';
import { OutputCollector } from './execute-outputs';
import { createMessage, IJSONObject, IJupyterMessage, parentMessageId } from './jupyter-wire';
import { KernelChannels, RequestChannel } from './kernel-channels';
import { delay, describeExit, KernelProcess } from './kernel-process';
import {
  executeResultFrom,
  IExecuteOptions,
  IExecuteResult,
  IKernelConnectOptions,
  IKernelInfo,
  IKernelStartOptions,
  isIdleStatus,
  kernelInfoFrom,
  KernelDiedError,
  KernelTimeoutError
} from './kernel-types';

export type { CellOutput, IErrorOutput } from './execute-outputs';
export type {
  IDisplayDataOutput,
  IExecuteResultOutput,
  IStreamOutput,
  MimeBundle
} from './execute-outputs';
export type { IJSONObject, JSONValue } from './jupyter-wire';
export type {
  IExecuteOptions,
  IExecuteResult,
  IKernelConnectOptions,
  IKernelInfo,
  IKernelStartOptions
} from './kernel-types';
export { KernelDiedError, KernelTimeoutError } from './kernel-types';

const DEFAULT_START_TIMEOUT_MS = 60_000;
const DEFAULT_EXECUTE_TIMEOUT_MS = 600_000;
const CONTROL_REPLY_TIMEOUT_MS = 5_000;
const EXIT_GRACE_MS = 5_000;
/** How long an interrupted cell gets to wind down after a timeout. */
const INTERRUPT_GRACE_MS = 5_000;
/** How long to wait for iopub traffic before resending kernel_info_request. */
const IOPUB_PROBE_MS = 500;

/** A connection to one kernel. */
export class KernelClient {
  private readonly session = randomUUID();
  private readonly channels: KernelChannels;
  /** request msg_id → who waits for its reply (shell or control). */
  private readonly replyWaiters = new Map<string, (reply: IJupyterMessage) => void>();
  /** request msg_id → who wants the iopub messages it caused. */
  private readonly iopubWatchers = new Map<string, (message: IJupyterMessage) => void>();
  /** Rejects once the kernel is dead; every wait races against it. */
  private readonly death: Promise<never>;
  private declareDead: (error: Error) => void = () => undefined;
  private deathError: Error | null = null;
  private shuttingDown = false;
  private kernelInfo: IKernelInfo | null = null;

  private constructor(
    /** Where the kernel listens, and its key (to hand to another client). */
    readonly connectionInfo: IConnectionInfo,
    private readonly kernelProcess: KernelProcess | null,
    private readonly tempDir: string | null
  ) {
    this.death = new Promise<never>((_, reject) => {
      this.declareDead = reject;
    });
    // Nobody may be waiting when the kernel dies; that is not an unhandled error.
    this.death.catch(() => undefined);
    this.channels = new KernelChannels(connectionInfo, {
      onReply: (_channel, message) => this.dispatch(this.replyWaiters, message),
      onIOPub: message => this.dispatch(this.iopubWatchers, message, false)
    });
    kernelProcess?.exited.then(exit => {
      const why = this.shuttingDown
        ? 'the kernel was shut down'
        : `the kernel died (${describeExit(exit)})${outputHint(kernelProcess.recentOutput)}`;
      this.markDead(new KernelDiedError(why));
    });
  }

  /** Starts an ipykernel in a new process and waits until it answers. */
  static async start(options: IKernelStartOptions = {}): Promise<KernelClient> {
    const python = options.python ?? process.env.VMPROF_PYTHON ?? 'python3';
    const tempDir = await fs.mkdtemp(join(tmpdir(), 'vmprof-kernel-'));
    const connectionFile = join(tempDir, 'kernel.json');
    const info = await newLocalConnectionInfo();
    await writeConnectionFile(connectionFile, info);
    const kernelProcess = KernelProcess.spawn({
      python,
      connectionFile,
      env: options.env,
      cwd: options.cwd
    });
    const client = new KernelClient(info, kernelProcess, tempDir);
    try {
      await client.waitUntilReady(options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    } catch (error) {
      await client.shutdown();
      throw error;
    }
    return client;
  }

  /** Connects to a running kernel described by a connection file. */
  static async connect(
    connectionFile: string,
    options: IKernelConnectOptions = {}
  ): Promise<KernelClient> {
    const info = await readConnectionFile(connectionFile);
    const client = new KernelClient(info, null, null);
    if (options.heartbeat ?? true) {
      client.channels.startHeartbeat({ intervalMs: 1000, timeoutMs: 2000, misses: 3 }, () =>
        client.markDead(new KernelDiedError('the kernel stopped answering its heartbeat'))
      );
    }
    try {
      await client.waitUntilReady(options.connectTimeoutMs ?? DEFAULT_START_TIMEOUT_MS);
    } catch (error) {
      client.disconnect();
      throw error;
    }
    return client;
  }

  /** The kernel's self-description, from the kernel_info_reply received when connecting. */
  get info(): IKernelInfo {
    if (this.kernelInfo === null) {
      throw new Error('the kernel has not answered kernel_info_request yet');
    }
    return this.kernelInfo;
  }

  /** The kernel's process id, for kernels this client started. */
  get pid(): number | undefined {
    return this.kernelProcess?.pid;
  }

  /** Incoming messages dropped for a bad signature or a malformed frame. */
  get droppedMessages(): number {
    return this.channels.droppedMessages;
  }

  /** Whether the kernel is known to be dead (or shut down). */
  get isDead(): boolean {
    return this.deathError !== null;
  }

  /**
   * Runs `code` and resolves once the kernel has both replied and gone idle,
   * so that every output the code produced is in the result.
   */
  async execute(code: string, options: IExecuteOptions = {}): Promise<IExecuteResult> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_EXECUTE_TIMEOUT_MS;
    const content = {
      code,
      silent: false,
      store_history: options.storeHistory ?? true,
      user_expressions: {},
      // No stdin channel here: input() in a cell raises instead of hanging.
      allow_stdin: false,
      stop_on_error: true
    };
    const request = createMessage('execute_request', content, this.session);
    const requestId = request.header.msg_id;
    const collector = new OutputCollector();
    const finished = new Promise<IJupyterMessage>(resolve => {
      let reply: IJupyterMessage | null = null;
      let idle = false;
      const resolveWhenComplete = (): void => {
        if (reply !== null && idle) {
          resolve(reply);
        }
      };
      this.iopubWatchers.set(requestId, message => {
        if (isIdleStatus(message)) {
          idle = true;
        } else {
          collector.handle(message);
        }
        resolveWhenComplete();
      });
      this.replyWaiters.set(requestId, message => {
        reply = message;
        resolveWhenComplete();
      });
    });
    try {
      await this.guard(this.channels.send('shell', request), timeoutMs, 'sending execute_request');
      const reply = await this.guard(finished, timeoutMs, 'execute_request');
      return executeResultFrom(reply, collector.outputs);
    } catch (error) {
      if (error instanceof KernelTimeoutError) {
        // Leave the kernel usable for the next cell if we can: interrupt, and
        // let the interrupted cell finish, or the kernel would abort the next
        // request as queued behind a failing cell.
        await this.interrupt().catch(() => undefined);
        await this.guard(finished, INTERRUPT_GRACE_MS, 'the interrupted cell').catch(() => undefined);
      }
      throw error;
    } finally {
      this.iopubWatchers.delete(requestId);
      this.replyWaiters.delete(requestId);
    }
  }

  /** Interrupts the running code (interrupt_request on control, SIGINT as a fallback). */
  async interrupt(): Promise<void> {
    try {
      await this.request('control', 'interrupt_request', {}, CONTROL_REPLY_TIMEOUT_MS);
    } catch (error) {
      if (this.kernelProcess === null) {
        throw error;
      }
      this.kernelProcess.signal('SIGINT');
    }
  }

  /**
   * Asks the kernel to shut down, kills it if it does not exit in time (only
   * a kernel this client started), and closes the connection. Safe to call twice.
   */
  async shutdown(): Promise<void> {
    if (this.shuttingDown) {
      return;
    }
    this.shuttingDown = true;
    if (!this.isDead) {
      await this.request('control', 'shutdown_request', { restart: false }, CONTROL_REPLY_TIMEOUT_MS)
        .catch(() => undefined);
    }
    await this.kernelProcess?.stop(EXIT_GRACE_MS);
    this.markDead(new KernelDiedError('the kernel was shut down'));
    this.channels.close();
    if (this.tempDir !== null) {
      await fs.rm(this.tempDir, { recursive: true, force: true });
    }
  }

  /** Closes the connection and leaves the kernel running. */
  disconnect(): void {
    this.shuttingDown = true;
    this.markDead(new Error('the client disconnected from the kernel'));
    this.channels.close();
  }

  /** Sends a request on shell or control and waits for its reply. */
  private async request(
    channel: RequestChannel,
    msgType: string,
    content: IJSONObject,
    timeoutMs: number
  ): Promise<IJupyterMessage> {
    const message = createMessage(msgType, content, this.session);
    const requestId = message.header.msg_id;
    const replied = new Promise<IJupyterMessage>(resolve => this.replyWaiters.set(requestId, resolve));
    try {
      await this.guard(this.channels.send(channel, message), timeoutMs, `sending ${msgType}`);
      return await this.guard(replied, timeoutMs, msgType);
    } finally {
      this.replyWaiters.delete(requestId);
    }
  }

  /**
   * Sends kernel_info_request until both its reply and some iopub message
   * caused by it arrive. A SUB socket only receives what is published after
   * its subscription reached the kernel, so seeing iopub traffic is the only
   * proof that no output of the first execute will be lost.
   */
  private async waitUntilReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let iopubSeen = false;
    const probeIds: string[] = [];
    try {
      while (!iopubSeen) {
        const remaining = deadline - Date.now();
        if (remaining <= 0) {
          throw new KernelTimeoutError(`the kernel did not become ready within ${timeoutMs} ms`);
        }
        const probe = createMessage('kernel_info_request', {}, this.session);
        probeIds.push(probe.header.msg_id);
        this.iopubWatchers.set(probe.header.msg_id, () => (iopubSeen = true));
        const replied = new Promise<IJupyterMessage>(resolve =>
          this.replyWaiters.set(probe.header.msg_id, resolve)
        );
        await this.guard(this.channels.send('shell', probe), remaining, 'sending kernel_info_request');
        const reply = await this.guard(replied, remaining, 'kernel_info_request');
        this.kernelInfo = kernelInfoFrom(reply.content);
        await this.guard(delay(Math.min(IOPUB_PROBE_MS, remaining)), remaining, 'kernel_info_request');
      }
    } finally {
      for (const id of probeIds) {
        this.iopubWatchers.delete(id);
        this.replyWaiters.delete(id);
      }
    }
  }

  /** Races `work` against the kernel's death and a timeout. */
  private guard<T>(work: Promise<T>, timeoutMs: number, what: string): Promise<T> {
    if (this.deathError !== null) {
      return Promise.reject(this.deathError);
    }
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new KernelTimeoutError(`no answer to ${what} within ${timeoutMs} ms`)),
        timeoutMs
      );
    });
    return Promise.race([work, this.death, timeout]).finally(() => clearTimeout(timer));
  }

  private markDead(error: Error): void {
    if (this.deathError === null) {
      this.deathError = error;
      this.declareDead(error);
    }
  }

  /** Hands a message to whoever waits for its parent request. */
  private dispatch(
    waiters: Map<string, (message: IJupyterMessage) => void>,
    message: IJupyterMessage,
    once = true
  ): void {
    const parentId = parentMessageId(message);
    const waiter = parentId === undefined ? undefined : waiters.get(parentId);
    if (waiter !== undefined && parentId !== undefined) {
      if (once) {
        waiters.delete(parentId);
      }
      waiter(message);
    }
  }
}

function outputHint(recentOutput: string): string {
  const tail = recentOutput.trim().split('\n').slice(-5).join('\n');
  return tail === '' ? '' : `; its last output:\n${tail}`;
}
