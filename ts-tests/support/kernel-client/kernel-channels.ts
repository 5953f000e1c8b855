/**
 * The ZeroMQ side of a kernel connection: the shell and control DEALER
 * sockets, the iopub SUB socket and an optional heartbeat. Incoming messages
 * are verified and decoded here; forged or malformed ones are dropped and
 * counted, never passed on.
 */
import { Dealer, Request, Subscriber } from 'zeromq';

import { channelEndpoint, IConnectionInfo } from './connection-file';
import { delay } from './kernel-process';
import { decodeMessage, encodeMessage, IJupyterMessage, MessageSigner } from './jupyter-wire';

/** Channels this client sends requests on. */
export type RequestChannel = 'shell' | 'control';

/** Where decoded messages go. */
export interface IChannelHandlers {
  onReply(channel: RequestChannel, message: IJupyterMessage): void;
  onIOPub(message: IJupyterMessage): void;
}

/** Heartbeat timing: a kernel is declared dead after `misses` silent pings in a row. */
export interface IHeartbeatOptions {
  intervalMs: number;
  timeoutMs: number;
  misses: number;
}

/** The open sockets of one kernel connection. */
export class KernelChannels {
  private readonly signer: MessageSigner;
  private readonly shell = new Dealer({ linger: 0 });
  private readonly control = new Dealer({ linger: 0 });
  private readonly iopub = new Subscriber({ linger: 0 });
  /** Sends on one socket are chained: zeromq allows one blocked send at a time. */
  private readonly sendChains: Record<RequestChannel, Promise<void>> = {
    shell: Promise.resolve(),
    control: Promise.resolve()
  };
  private closed = false;
  private droppedCount = 0;

  constructor(
    private readonly info: IConnectionInfo,
    handlers: IChannelHandlers
  ) {
    this.signer = new MessageSigner(info.key, info.signature_scheme);
    this.shell.connect(channelEndpoint(info, 'shell'));
    this.control.connect(channelEndpoint(info, 'control'));
    this.iopub.connect(channelEndpoint(info, 'iopub'));
    this.iopub.subscribe();
    void this.receiveLoop(this.shell, message => handlers.onReply('shell', message));
    void this.receiveLoop(this.control, message => handlers.onReply('control', message));
    void this.receiveLoop(this.iopub, message => handlers.onIOPub(message));
  }

  /** How many incoming messages were dropped (bad signature or malformed). */
  get droppedMessages(): number {
    return this.droppedCount;
  }

  /** Signs and queues a message; resolves once ZeroMQ has taken it. */
  send(channel: RequestChannel, message: IJupyterMessage): Promise<void> {
    if (this.closed) {
      return Promise.reject(new Error('the kernel connection is closed'));
    }
    const socket = channel === 'shell' ? this.shell : this.control;
    const frames = encodeMessage(message, this.signer);
    const sent = this.sendChains[channel].then(() => socket.send(frames));
    // Keep the chain alive after a failed send; the caller still sees the failure.
    this.sendChains[channel] = sent.catch(() => undefined);
    return sent;
  }

  /**
   * Pings the heartbeat channel until closed; calls `onDead` once if the
   * kernel stops answering. Used for kernels we did not start, whose process
   * we cannot watch.
   */
  startHeartbeat(options: IHeartbeatOptions, onDead: () => void): void {
    void this.heartbeatLoop(options, onDead);
  }

  /** Closes every socket; pending receives end quietly. */
  close(): void {
    if (this.closed) {
      return;
    }
    this.closed = true;
    for (const socket of [this.shell, this.control, this.iopub]) {
      socket.close();
    }
  }

  private async receiveLoop(
    socket: Dealer | Subscriber,
    deliver: (message: IJupyterMessage) => void
  ): Promise<void> {
    while (!this.closed) {
      let frames: Buffer[];
      try {
        frames = await socket.receive();
      } catch {
        // Only closing the socket interrupts a receive without a timeout.
        return;
      }
      const message = this.decodeOrDrop(frames);
      if (message !== null) {
        deliver(message);
      }
    }
  }

  private decodeOrDrop(frames: Buffer[]): IJupyterMessage | null {
    try {
      return decodeMessage(frames, this.signer);
    } catch {
      // A WireError (forged or malformed message) or anything else odd in it:
      // one bad message must not stop the receive loop.
      this.droppedCount += 1;
      return null;
    }
  }

  private async heartbeatLoop(options: IHeartbeatOptions, onDead: () => void): Promise<void> {
    let missesInARow = 0;
    while (!this.closed) {
      const answered = await this.pingOnce(options.timeoutMs);
      missesInARow = answered ? 0 : missesInARow + 1;
      if (missesInARow >= options.misses && !this.closed) {
        onDead();
        return;
      }
      await delay(options.intervalMs);
    }
  }

  /** One ping on a fresh REQ socket: a REQ that missed its reply cannot be reused. */
  private async pingOnce(timeoutMs: number): Promise<boolean> {
    const socket = new Request({ linger: 0, receiveTimeout: timeoutMs, sendTimeout: timeoutMs });
    try {
      socket.connect(channelEndpoint(this.info, 'hb'));
      const ping = Buffer.from(`ping-${Date.now()}`);
      await socket.send(ping);
      const [echo] = await socket.receive();
      return echo.equals(ping);
    } catch {
      return false;
    } finally {
      socket.close();
    }
  }
}
