/**
 * Frames above a script run by vmprofrun (runpy, frozen since Python 3.11)
 * are cut as the cell wrappers are, and PyPy's interpreted frame calling its
 * own JIT frame is one function (one callgrind name, no `#2` twin).
 */
import { toCallgrind, uniqueNames } from '../../src/formats/callgrind';
import { ProfileBuilder, framesOf } from '../../src/model/profile';
import { callGraph } from '../../src/model/call-graph';
import { prepareProfile } from '../../src/symbols/prepare';
import { functionCounts, load } from './helpers';
import { INFO } from './model-helpers';

describe('a script run by vmprofrun on Python 3.11', () => {
  const RUNPY = '<frozen runpy>';
  const above: Array<[string, string, number]> = [
    ['_run_module_as_main', RUNPY, 198], ['_run_code', RUNPY, 88],
    ['<module>', '/x/jupyterlab_vmprof/cli/runscript.py', 1], ['main', '/x/jupyterlab_vmprof/cli/runscript.py', 90],
    ['run_script', '/x/jupyterlab_vmprof/cli/runscript.py', 38], ['run_path', RUNPY, 262],
    ['_run_module_code', RUNPY, 94], ['_run_code', RUNPY, 88], ['<module>', '/x/script.py', 1], ['work', '/x/script.py', 3]
  ];
  const raw = () => {
    const b = new ProfileBuilder();
    b.addSample(b.stackOf(above.map(([n, f, l]) => b.frame(n, f, l, 'python'))), b.thread('1'));
    return b.build(INFO);
  };
  const profile = prepareProfile(raw());

  test("the script's <module> is the root; no runpy or runscript frame is left", () => {
    const stack = framesOf(profile, profile.sampleStack[0]).map(id => profile.frames[id]);
    expect(stack.map(f => `${f.name} ${f.file}`)).toEqual(['<module> /x/script.py', 'work /x/script.py']);
  });

  test('--no-strip keeps them', () => {
    expect(prepareProfile(raw(), { strip: false }).frames.length).toBe(9);
  });
});

describe('PyPy: an interpreted frame and its own JIT frame', () => {
  const raw = load('third-party/pypy-pystone.prof');
  const profile = prepareProfile(raw);

  test('Proc0 is one frame, never twice in a row, and callgrind names no function twice', () => {
    expect(profile.frames.filter(f => f.name === 'Proc0').length).toBe(1);
    const proc0 = profile.frames.findIndex(f => f.name === 'Proc0');
    for (let n = 0; n < profile.stackFrame.length; n++) {
      const parent = profile.stackParent[n];
      expect(profile.stackFrame[n] === proc0 && parent >= 0 && profile.stackFrame[parent] === proc0).toBe(false);
    }
    expect(uniqueNames(profile.frames).filter(n => / #\d+$/.test(n))).toEqual([]);
    expect(toCallgrind(profile, { creator: 'x' })).not.toMatch(/ #2$/m);
  });

  test("each function's inclusive samples: those holding it, interpreted or compiled", () => {
    const want = functionCounts(prepareProfile(raw, { strip: false }));
    const after = callGraph(profile);
    profile.frames.forEach((f, i) => {
      expect([f.name, after.total[i]]).toEqual([f.name, want.get(`${f.name}|${f.file}|${f.line}`)![1]]);
    });
  });
});
