/**
 * One code address, several Python names: a code object freed while profiling
 * and its memory reused by another. Each sample is named by the code object
 * that lived there when it was taken (src/formats/vmprof-names.ts).
 */
import { readVmprof } from '../../src/formats/vmprof';
import { IProfile } from '../../src/model/profile';
import { functionCounts } from './helpers';
import { VmprofWriter } from './vmprof-writer';

const CELL = 0x7f0000001000n;
const A = 0x7f0000002000n; // the reused address
const OTHER = 0x7f0000003000n;

/** Self samples by function name. */
function selfByName(p: IProfile): Record<string, number> {
  const out: Record<string, number> = {};
  functionCounts(p).forEach(([self], label) => {
    if (self > 0) {
      out[label.split('|')[0]] = self;
    }
  });
  return out;
}

function cellWriter(): VmprofWriter {
  return new VmprofWriter(8, 8, 6, 0).header().startTime(1000).meta('os', 'linux');
}

describe('a code address reused while profiling', () => {
  test('a sample takes the first name that follows it in the file', () => {
    const w = cellWriter();
    w.sample({ stack: [A, CELL] }).sample({ stack: [A, CELL] }).name(A, 'py:f:1:cell.py');
    w.sample({ stack: [A, CELL] }).sample({ stack: [OTHER, CELL] });
    w.name(A, 'py:g:5:cell.py').name(CELL, 'py:<module>:1:cell.py').name(OTHER, 'py:h:9:cell.py');
    const p = readVmprof(w.trailer(1001).bytes());
    expect(selfByName(p)).toEqual({ f: 2, g: 1, h: 1 });
    // f and g are distinct frames under the one cell frame.
    const counts = functionCounts(p);
    expect(counts.get('<module>|cell.py|1')).toEqual([0, 4]);
    expect(counts.get('f|cell.py|1')).toEqual([2, 2]);
    expect(counts.get('g|cell.py|5')).toEqual([1, 1]);
    // Without a recorded birth the split is a guess near each record: the profile says so.
    expect(p.info.warnings.join('\n')).toMatch(/1 sampled code address\(es\) held more than one function/);
  });

  test('the kernel\'s recorded births decide where vmprof\'s late death names cannot', () => {
    // vmprof buffers death names: f's name is written after g has taken its address
    // and been sampled. The kernel recorded g's birth (the offset at which it started).
    const w = cellWriter();
    w.sample({ stack: [A, CELL] }).sample({ stack: [A, CELL] }).sample({ stack: [A, CELL] });
    const born = w.offset;
    w.sample({ stack: [A, CELL] }).sample({ stack: [A, CELL] });
    w.name(A, 'py:f:1:cell.py');
    w.name(A, 'py:g:5:cell.py').name(CELL, 'py:<module>:1:cell.py');
    w.meta('code_births', JSON.stringify([[Number(A), born, 'py:g:5:cell.py']]));
    const p = readVmprof(w.trailer(1001).bytes());
    expect(selfByName(p)).toEqual({ f: 3, g: 2 });
    expect(p.info.warnings.join('\n')).not.toMatch(/more than one function/);
  });

  test('without the births the same file gives every sample the dead function\'s name', () => {
    const w = cellWriter();
    for (let i = 0; i < 5; i++) {
      w.sample({ stack: [A, CELL] });
    }
    w.name(A, 'py:f:1:cell.py').name(A, 'py:g:5:cell.py').name(CELL, 'py:<module>:1:cell.py');
    const p = readVmprof(w.trailer(1001).bytes());
    expect(selfByName(p)).toEqual({ f: 5 });
    expect(p.info.warnings.join('\n')).toMatch(/held more than one function/);
  });

  test('a reused cell root: the stack is split, not renamed', () => {
    // The cell's root code reuses the address of a module's code that died first.
    const w = cellWriter();
    w.sample({ stack: [OTHER, A] });
    const born = w.offset;
    w.sample({ stack: [OTHER, A] }).sample({ stack: [OTHER, A] });
    w.name(A, 'py:<module>:1:/site-packages/numba/core/x.py');
    w.name(A, 'py:<module>:3:/tmp/ipykernel_1/cell.py').name(OTHER, 'py:work:1:/tmp/ipykernel_1/cell.py');
    w.meta('code_births', JSON.stringify([[Number(A), born, 'py:<module>:3:/tmp/ipykernel_1/cell.py']]));
    const p = readVmprof(w.trailer(1001).bytes());
    const counts = functionCounts(p);
    expect(counts.get('<module>|/tmp/ipykernel_1/cell.py|3')).toEqual([0, 2]);
    expect(counts.get('<module>|/site-packages/numba/core/x.py|1')).toEqual([0, 1]);
    expect(counts.get('work|/tmp/ipykernel_1/cell.py|1')).toEqual([3, 3]);
  });

  test('lines mode: the (line, address) pairs are named by position too', () => {
    const w = new VmprofWriter(8, 8, 6, 0x02).header();
    w.sample({ stack: [3, A, 1, CELL] }).name(A, 'py:f:1:c.py');
    w.sample({ stack: [7, A, 1, CELL] }).name(A, 'py:g:5:c.py').name(CELL, 'py:<module>:1:c.py');
    const p = readVmprof(w.trailer(0).bytes(), { lines: true });
    const names = p.frames.map(f => `${f.name}:${f.line}`).sort();
    expect(names).toEqual(['<module>:1', 'f:3', 'g:7']);
  });

  test('one name written twice for one address is one frame, without a warning', () => {
    const w = cellWriter();
    w.sample({ stack: [A] }).name(A, 'py:f:1:c.py').sample({ stack: [A] }).name(A, 'py:f:1:c.py');
    const p = readVmprof(w.trailer(0).bytes());
    expect(selfByName(p)).toEqual({ f: 2 });
    expect(p.info.warnings.join('\n')).not.toMatch(/more than one function/);
  });

  test('a births value that is not ours is ignored, with a warning', () => {
    for (const bad of ['not json', '{"a": 1}', '[[1, -5, "py:f:1:x"]]', '[[1, 2]]']) {
      const w = cellWriter().meta('code_births', bad);
      w.sample({ stack: [A] }).name(A, 'py:f:1:c.py');
      const p = readVmprof(w.trailer(0).bytes());
      expect(selfByName(p)).toEqual({ f: 1 });
      expect(p.info.warnings.join('\n')).toMatch(/"code_births" meta value/);
    }
  });
});
