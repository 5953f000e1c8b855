import { KERNEL_THREAD, threadNamesFromMeta, withThreadNames } from '../../src/views/thread-names';
import { threadOptions } from '../../src/views/threads';
import { graphFromStacks } from './fixture';

const META = {
  threads: {
    main: { name: 'MainThread', vmprof_id: 111 },
    started: [{ name: 'Thread-1 (<b>work</b>)', vmprof_id: 222 }],
    background: [{ name: 'IOPub', vmprof_id: null }],
    cell_ids: [111, 222]
  }
};

function threeThreads() {
  const graph = graphFromStacks([{ stack: ['main'], count: 6 }]);
  graph.profile.threads = [
    { id: '111', samples: 3, label: 'main' },
    { id: '222', samples: 2, label: 'thread 2' },
    { id: '333', samples: 1, label: 'thread 3' }
  ];
  return graph;
}

describe('thread names', () => {
  it("labels threads with the kernel's names, and any other thread as the kernel's own", () => {
    const graph = withThreadNames(threeThreads(), threadNamesFromMeta(META));
    expect(graph.profile.threads.map(t => t.label)).toEqual([
      'main · MainThread',
      'thread 2 · Thread-1 (<b>work</b>)',
      `thread 3 · ${KERNEL_THREAD}`
    ]);
    const options = threadOptions(graph.profile).map(o => o.text);
    expect(options.some(text => text.startsWith('main · MainThread'))).toBe(true);
  });

  it('leaves the labels alone without names, and never calls a thread the kernel’s when the cell’s are not all known', () => {
    expect(withThreadNames(threeThreads(), threadNamesFromMeta({})).profile.threads[2].label).toBe('thread 3');
    const partial = { threads: { main: { name: 'MainThread', vmprof_id: 111 }, started: [{ name: 'T', vmprof_id: null }] } };
    expect(withThreadNames(threeThreads(), threadNamesFromMeta(partial)).profile.threads[2].label).toBe('thread 3');
  });
});
