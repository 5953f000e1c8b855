/** PyPy: (kind, value) pairs on the stack, JIT frames (pypy-pystone.prof). */
import { load } from './helpers';

const FILE = 'third-party/pypy-pystone.prof';

describe(FILE, () => {
  const p = load(FILE);

  test('header facts', () => {
    expect(p.sampleStack.length).toBe(375);
    expect(p.info.interpreter).toBe('pypy');
    expect(p.threads).toEqual(['0']);
  });

  test('JITted code is kind jit, interpreted code kind python', () => {
    const kinds = new Set(p.frames.map(f => f.kind));
    expect(kinds).toEqual(new Set(['python', 'jit']));
    expect(p.frames.find(f => f.name === 'entry_point')!.kind).toBe('python');
    expect(p.frames.some(f => f.kind === 'jit' && f.name === 'Proc0')).toBe(true);
  });
});
