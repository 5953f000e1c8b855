/** Frame cleaning, JIT naming from perf maps and jit-symbols.json. */
import { parsePerfMap } from '../../src/formats/perfmap';
import { FrameKind } from '../../src/model/graph-json';
import { IFrame, ProfileBuilder, framesOf } from '../../src/model/profile';
import { AddressTable } from '../../src/symbols/address-table';
import { cleanProfile } from '../../src/symbols/clean';
import { baseSymbolName } from '../../src/symbols/frame-lists';
import { parseJitSymbols, trampolineKey } from '../../src/symbols/jit-symbols';
import { prepareProfile } from '../../src/symbols/prepare';
import { symbolize } from '../../src/symbols/symbolize';
import { INFO } from './model-helpers';

const CELL = '/tmp/ipykernel_4242/1234567.py';

function one(stack: Array<[string, FrameKind, string?, number?]>) {
  const b = new ProfileBuilder();
  const ids = stack.map(([name, kind, file, line]) => b.frame(name, file ?? '', line ?? 0, kind));
  b.addSample(b.stackOf(ids), b.thread('1'));
  return b.build(INFO);
}

const names = (p: ReturnType<typeof one>) => framesOf(p, p.sampleStack[0]).map(f => p.frames[f].name);

describe('cleaning', () => {
  const ipython: Array<[string, FrameKind, string?, number?]> = [
    ['<module>', 'python', 'ipykernel_launcher.py', 1],
    ['run_cell', 'python', 'interactiveshell.py', 3000],
    ['<module>', 'python', CELL, 1],
    ['f', 'python', CELL, 3],
    ['_PyEval_EvalFrameDefault', 'native', 'libpython3.12.so'],
    ['PyObject_Vectorcall', 'native', 'libpython3.12.so'],
    ['builtin_sum', 'native', 'libpython3.12.so']
  ];

  test('strips interpreter frames under Python code and IPython frames above the cell', () => {
    expect(names(prepareProfile(one(ipython)))).toEqual(['<module>', 'f', 'builtin_sum']);
    expect(prepareProfile(one(ipython)).frames.find(f => f.name === '<module>')!.file).toBe(CELL);
  });

  test('under %%vmprof the user\'s cell is the root, not the magic\'s own cell', () => {
    const MAGIC_CELL = '/tmp/ipykernel_4242/999.py';
    const p = prepareProfile(
      one([
        ['<module>', 'python', MAGIC_CELL, 1],
        ['run_cell_magic', 'python', 'interactiveshell.py', 2604],
        ['vmprof', 'python', 'jupyterlab_vmprof/magic.py', 39],
        ['run_code', 'python', 'interactiveshell.py', 3786],
        ['<module>', 'python', CELL, 1],
        ['fib', 'python', CELL, 1]
      ])
    );
    expect(names(p)).toEqual(['<module>', 'fib']);
    expect(p.frames.find(f => f.name === '<module>')!.file).toBe(CELL);
  });

  test('a script run through runpy (vmprofrun, python -m) has its own <module> as the root', () => {
    const p = prepareProfile(
      one([
        ['<module>', 'python', '/usr/lib/python3.11/runpy.py', 1],
        ['_run_module_as_main', 'python', '/usr/lib/python3.11/runpy.py', 198],
        ['main', 'python', '/x/jupyterlab_vmprof/runscript.py', 40],
        ['_run_code', 'python', '/usr/lib/python3.11/runpy.py', 88],
        ['<module>', 'python', '/home/u/script.py', 1],
        ['work', 'python', '/home/u/script.py', 3]
      ])
    );
    expect(names(p)).toEqual(['<module>', 'work']);
    expect(p.frames.find(f => f.name === '<module>')!.file).toBe('/home/u/script.py');
  });

  test('--no-strip keeps everything, but still classifies interpreter frames', () => {
    const p = prepareProfile(one(ipython), { strip: false });
    expect(names(p)).toEqual(ipython.map(f => f[0]));
    expect(p.frames.find(f => f.name === 'PyObject_Vectorcall')!.kind).toBe('interpreter');
  });

  test('interpreter frames with no Python code rootward stay (e.g. the main entry)', () => {
    const p = prepareProfile(one([['_PyEval_EvalFrameDefault', 'native'], ['g', 'python', 'a.py', 1]]));
    expect(names(p)).toEqual(['_PyEval_EvalFrameDefault', 'g']);
  });

  test('old IPython cell names', () => {
    const p = prepareProfile(one([['run_code', 'python', 'ip.py', 1], ['<module>', 'python', '<ipython-input-3-abc>', 1]]));
    expect(names(p)).toEqual(['<module>']);
  });

  test('Numba dispatcher level between Python and JIT code is collapsed (mangled names too)', () => {
    const stack: Array<[string, FrameKind, string?, number?]> = [
      ['<module>', 'python', 'a.py', 1],
      ['_ZL15Dispatcher_callP10DispatcherP7_objectS2_', 'native', '_dispatcher.so'],
      ['type_call', 'native'],
      ['kernel', 'jit', 'a.py', 5]
    ];
    expect(names(prepareProfile(one(stack)))).toEqual(['<module>', 'kernel']);
    expect(names(prepareProfile(one(stack), { collapseDispatcher: false }))).toEqual(stack.map(f => f[0]));
  });

  test('dispatcher frames under a JIT trampoline frame are collapsed, not elsewhere', () => {
    const under = one([['kernel', 'jit', 'a.py', 5], ['Dispatcher_call', 'native'], ['<native symbol 0x11>', 'native']]);
    expect(names(cleanProfile(under))).toEqual(['kernel', '<native symbol 0x11>']);
    const plain = one([['f', 'python', 'a.py', 1], ['Dispatcher_call', 'native'], ['compile', 'native']]);
    expect(names(cleanProfile(plain))).toEqual(['f', 'Dispatcher_call', 'compile']);
  });

  test('base symbol names', () => {
    expect(baseSymbolName('_PyEval_EvalFrameDefault.cold')).toBe('_PyEval_EvalFrameDefault');
    expect(baseSymbolName('method_vectorcall_O.isra.0')).toBe('method_vectorcall_O');
    expect(baseSymbolName('Dispatcher_call(Dispatcher*, _object*, _object*)')).toBe('Dispatcher_call');
  });
});

describe('JIT symbols', () => {
  test('perf map: hex without 0x, names with spaces, bad lines counted', () => {
    const m = parsePerfMap('7f48d15ce090 2a NRT_decref\n7f48d15cf000 100 py::bar:/run/t.py with space\nnonsense\n\n');
    expect(m.symbols).toEqual([
      { start: 0x7f48d15ce090, size: 0x2a, name: 'NRT_decref', file: '', line: 0 },
      { start: 0x7f48d15cf000, size: 0x100, name: 'py::bar:/run/t.py with space', file: '', line: 0 }
    ]);
    expect(m.badLines).toBe(1);
  });

  test('address table: later entries win on overlap', () => {
    const t = new AddressTable();
    t.add([{ start: 100, size: 50, name: 'old', file: '', line: 0 }]);
    t.add([{ start: 120, size: 10, name: 'new', file: '', line: 0 }, { start: 90, size: 5, name: 'x', file: '', line: 0 }]);
    expect(t.lookup(125)!.name).toBe('new');
    expect(t.lookup(110)!.name).toBe('old');
    expect(t.lookup(149)!.name).toBe('old');
    expect(t.lookup(150)).toBeNull();
    expect(t.lookup(92)!.name).toBe('x');
  });

  test('unnamed native frames in a JIT range get the JIT name and kind', () => {
    const jit = new AddressTable();
    jit.add(parsePerfMap('1000 100 kernel_sum\n').symbols);
    const p = symbolize(one([['f', 'python', 'a.py', 1], ['<native symbol 0x1041>', 'native']]), { jit });
    const leaf = p.frames[p.stackFrame[p.sampleStack[0]]];
    expect(leaf).toEqual({ name: 'kernel_sum', file: '', line: 0, kind: 'jit' } as IFrame);
  });

  test('jit-symbols.json: ranges and trampoline frames', () => {
    const parsed = parseJitSymbols(JSON.stringify([
      { start: 4096, size: 64, name: 'kern', file: 'k.py', line: 3 },
      { start: 0, size: 0, name: 'kern', file: 'k.py', line: 3, kind: 'trampoline' },
      { nonsense: true }
    ]));
    expect(parsed.ranges.length).toBe(1);
    expect(parsed.skipped).toBe(1);
    expect(parsed.trampolines.has(trampolineKey('kern', 'k.py', 3))).toBe(true);
    const p = symbolize(one([['<module>', 'python', 'k.py', 1], ['kern', 'python', 'k.py', 3]]), { trampolines: parsed.trampolines });
    expect(p.frames.find(f => f.name === 'kern')!.kind).toBe('jit');
    expect(p.frames.find(f => f.name === '<module>')!.kind).toBe('python');
  });
});
