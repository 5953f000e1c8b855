/**
 * Shared pieces of the integration tests: which Python runs the kernel, and
 * a tiny fake kernel that can answer with forged signatures (a real kernel
 * never would, so the client's signature check needs one).
 */
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Publisher, Router } from 'zeromq';

import { channelEndpoint, IConnectionInfo, writeConnectionFile } from '../support/kernel-client/connection-file';
import {
  createMessage,
  decodeMessage,
  encodeMessage,
  IJSONObject,
  IJupyterMessage,
  MessageSigner
} from '../support/kernel-client/jupyter-wire';

/** The interpreter with ipykernel, vmprof and jupyterlab_vmprof installed. */
export const PYTHON = process.env.VMPROF_PYTHON ?? join(__dirname, '..', '..', '.venv', 'bin', 'python');

/** The repository root (for the converter bundle). */
export const REPO_ROOT = join(__dirname, '..', '..');

export async function makeTempDir(prefix: string): Promise<string> {
  return fs.mkdtemp(join(tmpdir(), prefix));
}

/**
 * A fake kernel on shell/control ROUTER and iopub PUB sockets. Each
 * kernel_info_request gets a forged reply (signed with the wrong key) first,
 * then the genuine one, and a genuine plus a forged iopub status.
 */
export class ForgingFakeKernel {
  readonly connectionFile: string;
  private readonly shell = new Router({ linger: 0 });
  private readonly control = new Router({ linger: 0 });
  private readonly iopub = new Publisher({ linger: 0 });
  private readonly signer: MessageSigner;
  private readonly forger = new MessageSigner('not-the-key');

  private constructor(info: IConnectionInfo, private readonly directory: string) {
    this.connectionFile = join(directory, 'fake-kernel.json');
    this.signer = new MessageSigner(info.key);
  }

  static async start(info: IConnectionInfo): Promise<ForgingFakeKernel> {
    const fake = new ForgingFakeKernel(info, await makeTempDir('vmprof-fake-kernel-'));
    await fake.shell.bind(channelEndpoint(info, 'shell'));
    await fake.control.bind(channelEndpoint(info, 'control'));
    await fake.iopub.bind(channelEndpoint(info, 'iopub'));
    await writeConnectionFile(fake.connectionFile, info);
    void fake.serveShell();
    return fake;
  }

  async close(): Promise<void> {
    for (const socket of [this.shell, this.control, this.iopub]) {
      socket.close();
    }
    await fs.rm(this.directory, { recursive: true, force: true });
  }

  private async serveShell(): Promise<void> {
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await this.shell.receive();
      } catch {
        return; // closed
      }
      const request = decodeMessage(frames, this.signer);
      if (request.header.msg_type === 'kernel_info_request') {
        await this.answerKernelInfo(frames[0], request);
      }
    }
  }

  private async answerKernelInfo(routingId: Buffer, request: IJupyterMessage): Promise<void> {
    const replyContent = (implementation: string): IJSONObject => ({
      status: 'ok',
      protocol_version: '5.3',
      implementation,
      language_info: { name: 'python' }
    });
    const forged = reply(request, 'kernel_info_reply', replyContent('forged'));
    const genuine = reply(request, 'kernel_info_reply', replyContent('genuine'));
    await this.shell.send([routingId, ...encodeMessage(forged, this.forger)]);
    await this.shell.send([routingId, ...encodeMessage(genuine, this.signer)]);
    const status = reply(request, 'status', { execution_state: 'idle' });
    await this.iopub.send([Buffer.from('status'), ...encodeMessage(status, this.forger)]);
    await this.iopub.send([Buffer.from('status'), ...encodeMessage(status, this.signer)]);
  }
}

function reply(request: IJupyterMessage, msgType: string, content: IJSONObject): IJupyterMessage {
  const message = createMessage(msgType, content, 'fake-kernel-session');
  message.parent_header = request.header;
  return message;
}
