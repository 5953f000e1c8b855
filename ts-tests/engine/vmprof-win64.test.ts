/** Windows 64-bit: 4-byte words, 8-byte addresses (example.prof). */
import { load } from './helpers';

const FILE = 'third-party/example.prof';

describe(FILE, () => {
  const p = load(FILE);

  test('header facts', () => {
    expect(p.sampleStack.length).toBe(2535);
    expect(p.info.platform).toBe('win64');
    expect(p.info.fileVersion).toBe(6);
    expect(p.info.mode.native).toBe(false);
    expect(p.threads).toEqual([String(0x380c)]);
    expect(p.info.warnings).toEqual([]);
  });

  test('Windows paths with drive colons stay whole', () => {
    const main = p.frames.find(f => f.name === '_run_module_as_main')!;
    expect(main.file).toBe('c:\\Users\\chris\\anaconda3\\lib\\runpy.py');
    expect(main.line).toBe(172);
    expect(main.kind).toBe('python');
  });
});
