/**
 * Source text for the Lines view (src/node/sources.ts): a small script is
 * profiled in lines mode with the repo's vmprof, and the converter adds the
 * text of its lines with costs to Graph JSON; an unreadable file gets none.
 */
import { execFileSync } from 'child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { convert, parseArgs } from '../../src/node/convert';
import { readSources, SOURCE_MAX_LINES_PER_FUNCTION } from '../../src/node/sources';
import type { IGraphJSON } from '../../src/model/graph-json';
import { buildLines } from '../../src/views/lines';
import { PYTHON } from './helpers';

const SCRIPT = `import vmprof, os, sys

def burn(n):
    total = 0
    for i in range(n):
        total += i * i  # the hot line
    return total

def main():
    for _ in range(60):
        burn(200000)

fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
vmprof.enable(fd, period=0.001, lines=True)
main()
vmprof.disable()
os.close(fd)
`;

const describeIfPython = existsSync(PYTHON) ? describe : describe.skip;

describeIfPython('vmprof-convert adds source text of lines with costs', () => {
  let dir = '';
  let graph: IGraphJSON;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'vmprof-sources-'));
    writeFileSync(join(dir, 'burn.py'), SCRIPT);
    execFileSync(PYTHON, [join(dir, 'burn.py'), join(dir, 'burn.prof')], { stdio: 'pipe' });
    graph = JSON.parse(convert(parseArgs([join(dir, 'burn.prof')]), () => undefined));
  }, 120000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the hot line of burn shows its source text in the Lines view', () => {
    const burn = graph.frames.findIndex(f => f.name === 'burn' && f.file.endsWith('burn.py'));
    expect(burn).toBeGreaterThanOrEqual(0);
    const source = graph.sources![String(burn)];
    expect(source.first).toBeGreaterThanOrEqual(1);
    const view = buildLines(graph, burn)!;
    expect(view.sourceReadable).toBe(true);
    const hot = view.rows.find(r => r.line === 6)!;
    expect(hot.total).toBeGreaterThan(0);
    expect(hot.source).toBe('        total += i * i  # the hot line');
    // Bounded: the lines with costs and a little context, not the whole file.
    expect(source.first + source.text.length - 1).toBeLessThanOrEqual(Math.max(...view.rows.map(r => r.line)) + 2);
  });

  test('a file that cannot be read gets no source text', () => {
    const copy: IGraphJSON = JSON.parse(JSON.stringify(graph));
    copy.frames = copy.frames.map(f => ({ ...f, file: join(dir, 'gone.py') }));
    expect(readSources(copy)).toEqual({});
  });

  test('one function gets at most the bound of lines', () => {
    const long = join(dir, 'long.py');
    writeFileSync(long, Array.from({ length: 2000 }, (_, i) => `x${i} = ${i}`).join('\n'));
    const copy: IGraphJSON = JSON.parse(JSON.stringify(graph));
    copy.frames = [{ ...copy.frames[0], file: long }];
    copy.lines = { '0': { line: [1, 1500], self: [1, 1], total: [1, 1] } };
    const out = readSources(copy)['0'];
    expect(out.first).toBe(1);
    expect(out.text).toHaveLength(SOURCE_MAX_LINES_PER_FUNCTION);
    expect(out.text[0]).toBe('x0 = 0');
  });
});
