/**
 * Kernel connection files: the JSON file that tells a kernel which ports to
 * bind and which key signs its messages, and tells clients where to connect.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer } from 'node:net';

/** The fields of a connection file this client uses. */
export interface IConnectionInfo {
  transport: string;
  ip: string;
  shell_port: number;
  iopub_port: number;
  stdin_port: number;
  control_port: number;
  hb_port: number;
  key: string;
  signature_scheme: string;
  kernel_name?: string;
}

/** The five channels a kernel serves. */
export type ChannelName = 'shell' | 'iopub' | 'stdin' | 'control' | 'hb';

/** The ZeroMQ endpoint of one channel, e.g. tcp://127.0.0.1:53421. */
export function channelEndpoint(info: IConnectionInfo, channel: ChannelName): string {
  const port = info[`${channel}_port`];
  // ipc transport names its endpoints by file, the port being a suffix.
  return info.transport === 'ipc'
    ? `ipc://${info.ip}-${port}`
    : `${info.transport}://${info.ip}:${port}`;
}

/** Reads and checks a connection file written by any Jupyter frontend or kernel. */
export async function readConnectionFile(path: string): Promise<IConnectionInfo> {
  const parsed: unknown = JSON.parse(await fs.readFile(path, 'utf8'));
  if (parsed === null || typeof parsed !== 'object') {
    throw new Error(`${path}: not a connection file (not a JSON object)`);
  }
  const fields = parsed as Record<string, unknown>;
  const ports = ['shell_port', 'iopub_port', 'stdin_port', 'control_port', 'hb_port'] as const;
  for (const port of ports) {
    if (typeof fields[port] !== 'number') {
      throw new Error(`${path}: not a connection file (no numeric ${port})`);
    }
  }
  return {
    transport: typeof fields.transport === 'string' ? fields.transport : 'tcp',
    ip: typeof fields.ip === 'string' ? fields.ip : '127.0.0.1',
    shell_port: fields.shell_port as number,
    iopub_port: fields.iopub_port as number,
    stdin_port: fields.stdin_port as number,
    control_port: fields.control_port as number,
    hb_port: fields.hb_port as number,
    key: typeof fields.key === 'string' ? fields.key : '',
    signature_scheme:
      typeof fields.signature_scheme === 'string' ? fields.signature_scheme : 'hmac-sha256',
    kernel_name: typeof fields.kernel_name === 'string' ? fields.kernel_name : undefined
  };
}

/**
 * Connection info for a kernel we are about to start on localhost: five free
 * TCP ports and a fresh random key.
 */
export async function newLocalConnectionInfo(): Promise<IConnectionInfo> {
  const [shell, iopub, stdin, control, hb] = await findFreePorts(5);
  return {
    transport: 'tcp',
    ip: '127.0.0.1',
    shell_port: shell,
    iopub_port: iopub,
    stdin_port: stdin,
    control_port: control,
    hb_port: hb,
    key: randomBytes(32).toString('hex'),
    signature_scheme: 'hmac-sha256',
    kernel_name: 'python3'
  };
}

/** Writes the file readable by its owner only: the key is a credential. */
export async function writeConnectionFile(path: string, info: IConnectionInfo): Promise<void> {
  await fs.writeFile(path, JSON.stringify(info, null, 2), { mode: 0o600 });
}

/**
 * Asks the OS for `count` distinct free ports by holding that many listeners
 * open at once, then releasing them for the kernel to bind. Another process
 * could grab one in between; the kernel then fails to start and says so.
 */
async function findFreePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from({ length: count }, () => listenOnAnyPort())
  );
  const ports = servers.map(server => {
    const address = server.address();
    if (address === null || typeof address === 'string') {
      throw new Error('could not read the port of a listening socket');
    }
    return address.port;
  });
  await Promise.all(
    servers.map(server => new Promise<void>(resolve => server.close(() => resolve())))
  );
  return ports;
}

function listenOnAnyPort(): Promise<ReturnType<typeof createServer>> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}
