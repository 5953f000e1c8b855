/**
 * The converter's serve mode (src/node/serve.ts): the protocol's parts, and the bundled
 * worker answering several conversions with the same bytes a one-shot run writes.
 */
import { spawn, spawnSync } from 'child_process';
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { PassThrough } from 'stream';
import { errorReport, runToFile } from '../../src/node/convert';
import { answer, parseRequest, serve } from '../../src/node/serve';
import { PROFILES, ROOT, runPackageScript } from './helpers';

const BUNDLE = join(ROOT, 'jupyterlab_vmprof/converter/vmprof-convert.js');
const MIXED = join(PROFILES, 'generated/mixed.prof');
const dir = mkdtempSync(join(tmpdir(), 'vmprof-serve-'));

describe('requests', () => {
  test('a request is {id, argv}; anything else says what is wrong', () => {
    expect(parseRequest('{"id": 3, "argv": ["a.prof", "-o", "x"]}')).toEqual({ id: 3, argv: ['a.prof', '-o', 'x'] });
    expect(() => parseRequest('not json')).toThrow('one JSON object per line');
    expect(() => parseRequest('{"argv": []}')).toThrow('integer "id"');
    expect(() => parseRequest('{"id": 1.5, "argv": []}')).toThrow('integer "id"');
    expect(() => parseRequest('{"id": 1, "argv": [1]}')).toThrow('list of strings');
  });

  test('answers carry the id, the warnings or the error of the one-shot run', () => {
    const ok = JSON.parse(answer('{"id": 7, "argv": []}', (_argv, warn) => warn('two\nlines'), errorReport));
    expect(ok).toEqual({ id: 7, ok: true, warnings: ['two lines'] });
    const failed = JSON.parse(
      answer(`{"id": 8, "argv": ["${join(dir, 'missing.prof')}", "-o", "x"]}`, runToFile, errorReport)
    );
    expect(failed.id).toBe(8);
    expect(failed.ok).toBe(false);
    expect(failed.error.code).toBe('io');
    expect(failed.error.message).toContain('missing.prof');
    const broken = JSON.parse(answer('{"id": 9', runToFile, errorReport));
    expect(broken).toMatchObject({ id: null, ok: false, error: { code: 'usage' } });
  });

  test('a served conversion must write to a file, not to the answers pipe', () => {
    const reply = JSON.parse(answer(JSON.stringify({ id: 1, argv: [MIXED] }), runToFile, errorReport));
    expect(reply.error).toEqual({ code: 'usage', message: expect.stringContaining('--output'), offset: null });
  });

  test('serve answers each line in order and ends with its input', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    const seen: string[][] = [];
    const done = serve(input, output, argv => void seen.push([...argv]), errorReport);
    input.end('{"id": 1, "argv": ["a"]}\n\n{"id": 2, "argv": ["b"]}\n');
    await done;
    expect(seen).toEqual([['a'], ['b']]);
    expect(
      output
        .read()
        .toString()
        .trim()
        .split('\n')
        .map((line: string) => JSON.parse(line).id)
    ).toEqual([1, 2]);
  });
});

describe('the bundled worker', () => {
  beforeAll(() => {
    runPackageScript('build:converter');
  });

  test('writes what a one-shot run writes, request after request, until stdin closes', async () => {
    const oneShot = join(dir, 'one-shot.json');
    expect(spawnSync(process.execPath, [BUNDLE, MIXED, '-o', oneShot]).status).toBe(0);
    const worker = spawn(process.execPath, [BUNDLE, '--serve'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const formats = ['json', 'collapsed', 'json'];
    formats.forEach((format, id) => {
      worker.stdin.write(
        JSON.stringify({ id, argv: [MIXED, '--format', format, '-o', join(dir, `served-${id}`)] }) + '\n'
      );
    });
    worker.stdin.end();
    let text = '';
    worker.stdout.on('data', chunk => (text += chunk));
    const status = await new Promise(resolve => worker.on('exit', resolve));
    expect(status).toBe(0);
    expect(
      text
        .trim()
        .split('\n')
        .map(line => JSON.parse(line))
    ).toEqual(formats.map((_format, id) => ({ id, ok: true, warnings: [] })));
    expect(readFileSync(join(dir, 'served-0'), 'utf-8')).toBe(readFileSync(oneShot, 'utf-8'));
    expect(readFileSync(join(dir, 'served-2'), 'utf-8')).toBe(readFileSync(oneShot, 'utf-8'));
    expect(readFileSync(join(dir, 'served-1'), 'utf-8')).toMatch(/^[^\n;]+(;[^\n;]+)* \d+$/m);
  });
});
