import { callgrindPathNextTo, contentsPath, exportFileName, exportPath, fileSafe } from '../../src/views/export';
import { KERNEL_THREADS } from '../../src/views/threads';

const ID = '20261125T090438-603584d4';

describe('export requests', () => {
  it('passes the thread to converted formats, never to the raw file', () => {
    expect(exportPath(ID, 'callgrind', null)).toBe(`profiles/${ID}/export/callgrind`);
    expect(exportPath(ID, 'collapsed', '0x7f12')).toBe(`profiles/${ID}/export/collapsed?thread=0x7f12`);
    expect(exportPath(ID, 'raw', '12')).toBe(`profiles/${ID}/export/raw`);
    expect(() => exportPath(ID, 'speedscope', '../x')).toThrow(/not a thread id/);
  });

  it('names files like the server, with the thread when one is chosen', () => {
    expect(exportFileName(ID, 'callgrind', null)).toBe(`callgrind.out.${ID}`);
    expect(exportFileName(ID, 'callgrind', '140')).toBe(`callgrind.out.${ID}.thread-140`);
    expect(exportFileName(ID, 'speedscope', null)).toBe(`${ID}.speedscope.json`);
    expect(exportFileName(ID, 'collapsed', null)).toBe(`${ID}.collapsed.txt`);
    expect(exportFileName(ID, 'raw', '140')).toBe(`${ID}.prof`);
  });

  it('names the threads a collapsed-stacks file holds, which the file itself cannot say', () => {
    // The same names as the server's (py-tests/test_formats.py, formats.thread_tag).
    expect(exportFileName(ID, 'collapsed', KERNEL_THREADS)).toBe(`${ID}.with-kernel-threads.collapsed.txt`);
    expect(exportFileName(ID, 'collapsed', 'worker 0 (tcp://127.0.0.1:4321)/0x7f3a')).toBe(
      `${ID}.thread-worker-0-tcp-127.0.0.1-4321-0x7f3a.collapsed.txt`
    );
  });
});

describe('save next to the notebook', () => {
  it('writes in the notebook folder, named after the profile', () => {
    expect(callgrindPathNextTo('analysis/slow.ipynb', 'fit loop', ID)).toBe('analysis/callgrind.out.fit-loop');
    expect(callgrindPathNextTo('slow.ipynb', '', ID)).toBe(`callgrind.out.${ID}`);
  });

  it('keeps names from leaving the folder or carrying markup', () => {
    expect(fileSafe('../../etc/passwd')).toBe('etc-passwd');
    expect(fileSafe('<img src=x onerror=alert(1)>')).toBe('img-src-x-onerror-alert-1');
    expect(callgrindPathNextTo('a/b.ipynb', '/..', ID)).toBe(`a/callgrind.out.${ID}`);
    expect(fileSafe('x'.repeat(200))).toHaveLength(80);
  });
});

describe('contents paths', () => {
  it('makes absolute notebook paths relative to the server root', () => {
    expect(contentsPath('analysis/a.ipynb', '/home/me')).toBe('analysis/a.ipynb');
    expect(contentsPath('/home/me/analysis/a.ipynb', '/home/me/')).toBe('analysis/a.ipynb');
    expect(contentsPath('/elsewhere/a.ipynb', '/home/me')).toBeNull();
    expect(contentsPath('/home/meow/a.ipynb', '/home/me')).toBeNull();
  });
});
