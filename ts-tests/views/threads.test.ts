import { ALL_THREADS_LABEL, graphPath, graphQuery, threadLabel, threadOptions } from '../../src/views/threads';
import { EVIL_NAME, GRAPH_FIXTURES, loadGraph } from './graphs';

describe('threadOptions', () => {
  it('puts all threads first, then each thread with its share of the file', () => {
    const { profile } = loadGraph('threads');
    const options = threadOptions(profile);
    expect(options.map(o => [o.id, o.value, o.label, o.samples, o.percent, o.selected])).toEqual([
      [null, '', ALL_THREADS_LABEL, 234, 100, true],
      ['94521454477056', '94521454477056', 'thread 1', 114, 48.7, false],
      ['94521454780912', '94521454780912', 'thread 2', 120, 51.3, false]
    ]);
    expect(options[0].text).toBe('all threads (234 samples)');
    expect(options[1].text).toBe('thread 1 — 48.7% (114 samples)');
    expect(options[1].title).toBe('thread id 94521454477056');
  });

  it('marks the thread the graph was made for', () => {
    const { profile } = loadGraph('threads.thread-2');
    const options = threadOptions(profile);
    expect(options.filter(o => o.selected).map(o => o.label)).toEqual(['thread 2']);
    // Shares are of the whole file, whatever thread is shown.
    expect(options.map(o => o.percent)).toEqual([100, 48.7, 51.3]);
  });

  it.each(GRAPH_FIXTURES)('gives thread shares adding up to exactly 100.0 on %s', name => {
    const options = threadOptions(loadGraph(name).profile).slice(1);
    const tenths = options.reduce((s, o) => s + Math.round(o.percent * 10), 0);
    expect(tenths).toBe(1000);
  });

  it('falls back to the id without a label, and keeps labels as text', () => {
    expect(threadLabel({ id: '0x7f3a' })).toBe('thread 0x7f3a');
    expect(threadLabel({ id: '1', label: 'main' })).toBe('main');
    const { profile } = loadGraph('threads');
    profile.threads[0].label = EVIL_NAME;
    const option = threadOptions(profile)[1];
    expect(option.label).toBe(EVIL_NAME);
    expect(option.text.startsWith(EVIL_NAME)).toBe(true);
  });
});

describe('graphQuery', () => {
  it('asks for all threads with no query', () => {
    expect(graphQuery(null)).toBe('');
    expect(graphQuery('')).toBe('');
  });

  it('asks for one thread, decimal or hex', () => {
    expect(graphQuery('94521454780912')).toBe('?thread=94521454780912');
    expect(graphQuery('0x7f3a2c0b1740')).toBe('?thread=0x7f3a2c0b1740');
  });

  it('adds the other graph options in a fixed order', () => {
    expect(graphQuery('12', { lines: true, strip: false, collapseDispatcher: true })).toBe(
      '?thread=12&strip=false&collapse_dispatcher=true&lines=true'
    );
    expect(graphQuery(null, { lines: true })).toBe('?lines=true');
  });

  it('refuses ids the server would refuse', () => {
    expect(() => graphQuery('12&strip=false')).toThrow(/not a thread id/);
    expect(() => graphQuery('main')).toThrow(/not a thread id/);
  });

  it('builds the request path', () => {
    expect(graphPath('20260101T000000-0123abcd', '7')).toBe('profiles/20260101T000000-0123abcd/graph?thread=7');
    expect(graphPath('a/b', null)).toBe('profiles/a%2Fb/graph');
  });
});
