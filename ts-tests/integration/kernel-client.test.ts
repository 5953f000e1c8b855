/**
 * The kernel client against a real ipykernel: what a notebook user would see
 * from running cells, and that nothing hangs when the kernel misbehaves.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Dealer } from 'zeromq';

import {
  channelEndpoint,
  newLocalConnectionInfo,
  writeConnectionFile
} from '../support/kernel-client/connection-file';
import { createMessage, encodeMessage, MessageSigner } from '../support/kernel-client/jupyter-wire';
import {
  CellOutput,
  KernelClient,
  KernelDiedError,
  KernelTimeoutError
} from '../support/kernel-client/kernel-client';
import { ForgingFakeKernel, makeTempDir, PYTHON } from './helpers';

function textOf(outputs: CellOutput[], outputType: 'execute_result' | 'display_data'): string[] {
  return outputs.flatMap(output =>
    output.output_type === outputType ? [String(output.data['text/plain'])] : []
  );
}

describe('a kernel started by the client', () => {
  let kernel: KernelClient;

  beforeAll(async () => {
    kernel = await KernelClient.start({ python: PYTHON });
  });

  afterAll(async () => {
    await kernel?.shutdown();
  });

  it('describes itself in kernel_info', () => {
    expect(kernel.info.implementation).toBe('ipython');
    expect(kernel.info.languageName).toBe('python');
    expect(kernel.info.protocolVersion).toMatch(/^5\./);
  });

  it('keeps state between cells and shows the value of the last expression', async () => {
    const assignment = await kernel.execute('x = 21*2');
    expect(assignment.status).toBe('ok');
    expect(assignment.outputs).toEqual([]);

    const value = await kernel.execute('x');
    expect(value.status).toBe('ok');
    expect(textOf(value.outputs, 'execute_result')).toEqual(['42']);
    expect(value.executionCount).toBe((assignment.executionCount ?? 0) + 1);
  });

  it('collects printed text as one stdout stream and stderr separately', async () => {
    const result = await kernel.execute(
      'import sys\nprint("hello")\nprint("world")\nprint("oops", file=sys.stderr)'
    );
    expect(result.outputs).toEqual([
      { output_type: 'stream', name: 'stdout', text: 'hello\nworld\n' },
      { output_type: 'stream', name: 'stderr', text: 'oops\n' }
    ]);
  });

  it('collects display_data with every MIME type', async () => {
    const result = await kernel.execute(
      'from IPython.display import display, HTML\ndisplay(HTML("<b>bold</b>"))'
    );
    const display = result.outputs.find(output => output.output_type === 'display_data');
    expect(display).toMatchObject({ data: { 'text/html': '<b>bold</b>' } });
  });

  it('reports an exception as an error output with its name and message', async () => {
    const result = await kernel.execute('1 / 0');
    expect(result.status).toBe('error');
    expect(result.error).toMatchObject({ ename: 'ZeroDivisionError', evalue: 'division by zero' });
    expect(result.outputs).toContainEqual(
      expect.objectContaining({ output_type: 'error', ename: 'ZeroDivisionError' })
    );
    // The kernel is still usable after a failing cell.
    expect(textOf((await kernel.execute('6 * 7')).outputs, 'execute_result')).toEqual(['42']);
  });

  it('ignores a request signed with the wrong key', async () => {
    const intruder = new Dealer({ linger: 0 });
    intruder.connect(channelEndpoint(kernel.connectionInfo, 'shell'));
    const forged = createMessage(
      'execute_request',
      { code: 'forged = True', silent: false, store_history: false, user_expressions: {}, allow_stdin: false },
      'intruder'
    );
    await intruder.send(encodeMessage(forged, new MessageSigner('not-the-key')));
    await sleep(500);
    intruder.close();

    const check = await kernel.execute("'forged' in globals()");
    expect(textOf(check.outputs, 'execute_result')).toEqual(['False']);
  });

  it('times out a cell that runs too long, and interrupts it so the next cell runs', async () => {
    const started = Date.now();
    await expect(kernel.execute('import time\ntime.sleep(30)', { timeoutMs: 1000 })).rejects.toThrow(
      KernelTimeoutError
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    const next = await kernel.execute('6 * 7', { timeoutMs: 10_000 });
    expect(next.status).toBe('ok');
    expect(textOf(next.outputs, 'execute_result')).toEqual(['42']);
  });
});

describe('replies with a bad signature', () => {
  it('are dropped: the client only believes the correctly signed reply', async () => {
    const info = await newLocalConnectionInfo();
    const fake = await ForgingFakeKernel.start(info);
    try {
      const client = await KernelClient.connect(fake.connectionFile, {
        heartbeat: false,
        connectTimeoutMs: 10_000
      });
      expect(client.info.implementation).toBe('genuine');
      expect(client.droppedMessages).toBeGreaterThanOrEqual(2);
      client.disconnect();
    } finally {
      await fake.close();
    }
  });
});

describe('a kernel that dies', () => {
  it('rejects the running cell with a clear error when the kernel kills itself', async () => {
    const kernel = await KernelClient.start({ python: PYTHON });
    try {
      const started = Date.now();
      await expect(
        kernel.execute('import os\nos.kill(os.getpid(), 9)', { timeoutMs: 20_000 })
      ).rejects.toThrow(/kernel died \(killed by SIGKILL\)/);
      expect(Date.now() - started).toBeLessThan(10_000);
      // Later requests fail at once instead of waiting for their timeout.
      await expect(kernel.execute('1', { timeoutMs: 20_000 })).rejects.toThrow(KernelDiedError);
    } finally {
      await kernel.shutdown();
    }
  });

  it('rejects the running cell when the process is killed from outside', async () => {
    const kernel = await KernelClient.start({ python: PYTHON });
    try {
      const running = kernel.execute('import time\ntime.sleep(60)', { timeoutMs: 30_000 });
      await sleep(500);
      const killedAt = Date.now();
      process.kill(kernel.pid ?? 0, 'SIGKILL');
      await expect(running).rejects.toThrow(KernelDiedError);
      expect(Date.now() - killedAt).toBeLessThan(5_000);
    } finally {
      await kernel.shutdown();
    }
  });

  it('fails to start with the reason when Python cannot be run', async () => {
    await expect(
      KernelClient.start({ python: '/nonexistent/python3', startTimeoutMs: 20_000 })
    ).rejects.toThrow(/could not be started[\s\S]*ENOENT/);
  });

  it('is noticed through the heartbeat when connected to someone else\'s kernel', async () => {
    const owner = await KernelClient.start({ python: PYTHON });
    const folder = await makeTempDir('vmprof-connect-');
    const file = join(folder, 'kernel.json');
    await writeConnectionFile(file, owner.connectionInfo);
    const client = await KernelClient.connect(file, { connectTimeoutMs: 20_000 });
    try {
      expect(textOf((await client.execute('6 * 7')).outputs, 'execute_result')).toEqual(['42']);
      const running = client.execute('import time\ntime.sleep(60)', { timeoutMs: 30_000 });
      await sleep(300);
      process.kill(owner.pid ?? 0, 'SIGKILL');
      await expect(running).rejects.toThrow(/heartbeat/);
    } finally {
      client.disconnect();
      await owner.shutdown();
      await fs.rm(folder, { recursive: true, force: true });
    }
  });
});
