/** Edge cases on hand-made files: name precedence, record order, big ids, errors. */
import { VmprofFormatError, readVmprof } from '../../src/formats/vmprof';
import { toGraphJSON } from '../../src/formats/graph-json';
import { VmprofWriter } from './vmprof-writer';

const PY_A = 0x7f0000001000n;
const PY_B = 0x7f0000002000n;
const NATIVE = 0x7f0000003001n;

function basic(order: 'names-first' | 'names-last'): Uint8Array {
  const w = new VmprofWriter(8, 8, 6, 0x04).header().startTime(1000).meta('os', 'linux');
  const names = () => {
    w.name(PY_A, 'n:<native symbol 0x7f0000001000>:0:-', 0x08);
    w.name(PY_A, 'py:main:1:app.py');
    w.name(PY_B, 'py:work:10:app.py');
    w.name(NATIVE, 'n:sqrt:0:/usr/lib/libm.so.6', 0x08);
  };
  if (order === 'names-first') {
    names();
  }
  w.sample({ stack: [PY_B, PY_A] }).sample({ stack: [NATIVE, PY_B, PY_A] }).sample({ stack: [PY_A] });
  if (order === 'names-last') {
    names();
  }
  return w.trailer(1003).bytes();
}

describe('synthetic files', () => {
  test('0x02 Python names beat 0x08 native names, in any record order', () => {
    for (const order of ['names-first', 'names-last'] as const) {
      const p = readVmprof(basic(order));
      // Frames are sorted by (file, line, name, kind).
      expect(p.frames.map(f => `${f.kind}:${f.name}`)).toEqual(['native:sqrt', 'python:main', 'python:work']);
      expect(p.info.durationSeconds).toBe(3);
      expect(p.info.secondsPerSample).toBe(1);
    }
  });

  // Several names for one id (an address reused while profiling): reused-addresses.test.ts.

  test('a hostile name passes through unchanged, as text', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const bytes = new VmprofWriter().header().name(PY_A, `py:${evil}:1:x.py`).sample({ stack: [PY_A] }).trailer(0).bytes();
    const p = readVmprof(bytes);
    expect(p.frames[0].name).toBe(evil);
    const json = JSON.parse(JSON.stringify(toGraphJSON(p, { creator: 't' })));
    expect(json.frames[0].name).toBe(evil);
  });

  test('addresses beyond 2^53 and negative entries do not break the reader', () => {
    const huge = 0x7fff_ffff_ffff_fff1n; // odd: native
    const bytes = new VmprofWriter().header().sample({ stack: [huge, PY_A] }).sample({ stack: [-5n, PY_A] }).trailer(0).bytes();
    const p = readVmprof(bytes);
    expect(p.frames.map(f => f.name).sort()).toEqual(
      ['<native symbol 0x7ffffffffffffff1>', '<unknown code -0x5>', '<unknown code 0x7f0000001000>'].sort()
    );
  });

  test('32-bit files (4-byte words and addresses)', () => {
    const bytes = new VmprofWriter(4, 4).header().name(0x1000, 'py:f:1:a.py').sample({ stack: [0x1000] }).trailer(5).bytes();
    const p = readVmprof(bytes);
    expect(p.frames[0].name).toBe('f');
    expect(p.sampleStack.length).toBe(1);
  });

  test('version 7, 0.6.0 layout: ns timestamps after thread and rss', () => {
    const w = new VmprofWriter(8, 8, 7, 0x01).header();
    [0, 4e6, 8e6].forEach((t, i) => w.sample({ stack: [PY_A], rss: 100 + i, time: t }));
    const p = readVmprof(w.trailer(1).bytes());
    expect(Array.from(p.sampleTime!)).toEqual([0, 0.004, 0.008]);
    expect(Array.from(p.sampleRss!)).toEqual([100, 101, 102]);
    expect(p.info.secondsPerSample).toBeCloseTo(0.004, 12);
  });

  test('version 7, fork layout: double seconds in the count slot', () => {
    const w = new VmprofWriter(8, 8, 7, 0, 'cpython', 1000, 'double-time').header().meta('start_time_offset', '1.0');
    [1.5, 1.6, 1.7].forEach(t => w.sample({ stack: [PY_A], time: t }));
    const p = readVmprof(w.trailer(1).bytes());
    expect(Array.from(p.sampleTime!)).toEqual([1.5, 1.6, 1.7]);
  });

  test('Windows 64-bit (4-byte words) with version 7 timestamps', () => {
    const w = new VmprofWriter(4, 8, 7).header().name(PY_A, 'py:f:1:c:\\x\\a.py');
    [5e6, 6e6].forEach(t => w.sample({ stack: [PY_A], thread: 0x380c, time: t }));
    const p = readVmprof(w.trailer(9).bytes());
    expect(p.frames[0]).toEqual({ name: 'f', file: 'c:\\x\\a.py', line: 1, kind: 'python' });
    expect(p.threads).toEqual(['14348']);
    expect(Array.from(p.sampleTime!)).toEqual([0.005, 0.006]);
  });

  test('PyPy pairs: code, JIT, native, GC kept; assembler entries skipped', () => {
    const w = new VmprofWriter(8, 8, 6, 0x08, 'pypy').header().name(0x100, 'py:main:1:m.py').name(0x200, 'py:loop:5:m.py');
    // leaf first: (kind, value) pairs
    w.sample({ stack: [5, 0, 6, 0x999, 3, 0x200, 1, 0x100], thread: 0 });
    w.sample({ stack: [7, 0x301, 1, 0x100], thread: 0 });
    const p = readVmprof(w.trailer(1).bytes());
    const stack = (i: number) => {
      const out: string[] = [];
      for (let n = p.sampleStack[i]; n >= 0; n = p.stackParent[n]) {
        const f = p.frames[p.stackFrame[n]];
        out.unshift(`${f.kind}:${f.name}`);
      }
      return out;
    };
    expect(stack(0)).toEqual(['python:main', 'jit:loop', 'native:<gc>']);
    expect(stack(1)).toEqual(['python:main', 'native:<native symbol 0x301>']);
  });

  test('legacy pre-0.4 header (0x04, no thread ids)', () => {
    const w = new VmprofWriter(8, 8, 0).u8(0x04).u8(7).raw(new TextEncoder().encode('cpython'));
    w.u8(0x01).word(1).word(1).addr(PY_A);
    const p = readVmprof(w.u8(0x03).raw(new TextEncoder().encode('00400000-… maps text')).bytes());
    expect(p.sampleStack.length).toBe(1);
    expect(p.info.fileVersion).toBe(0);
  });

  test('empty stacks are samples of the root only', () => {
    const p = readVmprof(new VmprofWriter().header().sample({ stack: [] }).trailer(0).bytes());
    expect(Array.from(p.sampleStack)).toEqual([-1]);
  });
});

describe('typed errors', () => {
  const expectError = (bytes: Uint8Array, code: string) => {
    let error: unknown;
    try {
      readVmprof(bytes);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VmprofFormatError);
    expect((error as VmprofFormatError).code).toBe(code);
    expect(typeof (error as VmprofFormatError).offset).toBe('number');
  };

  test('unknown version', () => {
    expectError(new VmprofWriter(8, 8, 8).header().bytes(), 'version');
  });

  test('big-endian', () => {
    const b = new Uint8Array(40);
    b[15] = 3;
    expectError(b, 'version');
  });

  test('garbage and empty input', () => {
    expectError(new TextEncoder().encode('this is not a profile, just some text'), 'corrupt');
    expectError(new Uint8Array(0), 'truncated');
  });

  test('gzip', () => {
    expectError(Uint8Array.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'version');
  });

  test('unknown marker', () => {
    expectError(new VmprofWriter().header().u8(0x42).bytes(), 'corrupt');
  });

  test('absurd depth and negative lengths', () => {
    expectError(new VmprofWriter().header().u8(0x01).word(1).word(1 << 20).bytes(), 'corrupt');
    expectError(new VmprofWriter().header().u8(0x02).addr(2).word(-5).bytes(), 'corrupt');
  });

  test('a huge length that does not fit is truncation, not an allocation', () => {
    const p = readVmprof(new VmprofWriter().header().sample({ stack: [PY_A] }).u8(0x02).addr(2).word(2 ** 40).bytes());
    expect(p.sampleStack.length).toBe(1);
    expect(p.info.warnings.join()).toMatch(/cut short/);
  });

  test('a sample before the header', () => {
    expectError(new VmprofWriter().sample({ stack: [PY_A] }).bytes(), 'corrupt');
  });
});
