/**
 * Spawning an ipykernel process and watching it: its exit, and the tail of
 * what it printed, so that "the kernel died" errors can say why.
 */
import { ChildProcess, spawn } from 'node:child_process';

/** How a kernel process ended. */
export interface IKernelExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Options for spawning `<python> -m ipykernel_launcher -f <connection file>`. */
export interface IKernelProcessOptions {
  python: string;
  connectionFile: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Extra command-line arguments for ipykernel_launcher. */
  extraArgs?: string[];
}

/** Keeps the end of the kernel's stderr: enough for a traceback, bounded in memory. */
const OUTPUT_TAIL_CHARS = 4000;

/** A running (or exited) kernel process. */
export class KernelProcess {
  /** Resolves when the process has exited, for whatever reason. */
  readonly exited: Promise<IKernelExit>;
  private exitStatus: IKernelExit | null = null;
  private outputTail = '';

  private constructor(private readonly child: ChildProcess) {
    this.exited = new Promise(resolve => {
      child.once('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
      });
      // A failed spawn (python not found) never emits 'exit' on some Node versions.
      child.once('error', error => {
        this.appendOutput(`\n${error.message}\n`);
        if (this.exitStatus === null) {
          this.exitStatus = { code: null, signal: null };
          resolve(this.exitStatus);
        }
      });
    });
    child.stdout?.on('data', (chunk: Buffer) => this.appendOutput(chunk.toString('utf8')));
    child.stderr?.on('data', (chunk: Buffer) => this.appendOutput(chunk.toString('utf8')));
  }

  /** Starts the kernel; resolves as soon as the process exists (not when it is ready). */
  static spawn(options: IKernelProcessOptions): KernelProcess {
    const args = ['-m', 'ipykernel_launcher', '-f', options.connectionFile];
    const child = spawn(options.python, [...args, ...(options.extraArgs ?? [])], {
      cwd: options.cwd,
      env: {
        ...process.env,
        // ipykernel exits by itself when this parent goes away, so a crashed
        // test run does not leave kernels behind.
        JPY_PARENT_PID: String(process.pid),
        ...options.env
      },
      stdio: ['ignore', 'pipe', 'pipe']
    });
    return new KernelProcess(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The exit status once the process has ended, else null. */
  get exit(): IKernelExit | null {
    return this.exitStatus;
  }

  /** The last few thousand characters the kernel wrote to stdout/stderr. */
  get recentOutput(): string {
    return this.outputTail;
  }

  /** Sends a signal if the process is still running. */
  signal(signal: NodeJS.Signals): void {
    if (this.exitStatus === null) {
      this.child.kill(signal);
    }
  }

  /** Waits up to `graceMs` for the process to exit, then kills it. */
  async stop(graceMs: number): Promise<IKernelExit> {
    if (this.exitStatus !== null) {
      return this.exitStatus;
    }
    const exitedInTime = await Promise.race([
      this.exited.then(() => true),
      delay(graceMs).then(() => false)
    ]);
    if (!exitedInTime) {
      this.signal('SIGKILL');
    }
    return this.exited;
  }

  private appendOutput(text: string): void {
    this.outputTail = (this.outputTail + text).slice(-OUTPUT_TAIL_CHARS);
  }
}

/** A one-line description of an exit, e.g. "killed by SIGKILL" or "exit code 1". */
export function describeExit(exit: IKernelExit): string {
  if (exit.signal !== null) {
    return `killed by ${exit.signal}`;
  }
  return exit.code === null ? 'could not be started' : `exit code ${exit.code}`;
}

/** A promise resolving after `ms`, whose timer does not keep Node alive. */
export function delay(ms: number): Promise<void> {
  return new Promise(resolve => {
    const timer = setTimeout(resolve, ms);
    timer.unref();
  });
}
