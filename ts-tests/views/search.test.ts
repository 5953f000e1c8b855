import { buildFlame } from '../../src/views/flame';
import { FALLBACK_KIND_COLORS } from '../../src/views/kinds';
import {
  DIMMED_FALLBACK,
  dimColor,
  highlightFlame,
  parseQuery,
  searchFrames,
  searchSummary,
  tableRowMatcher
} from '../../src/views/search';
import { buildTable } from '../../src/views/table';
import { graphFromStacks } from './fixture';
import { EVIL_ESCAPED, EVIL_NAME, frameNamed, GRAPH_FIXTURES, loadGraph } from './graphs';

const flameOptions = { maxNodes: 1500, minNodeFraction: 0 };

describe('parseQuery', () => {
  it('ignores an empty query', () => {
    expect(parseQuery('')).toBeNull();
    expect(parseQuery('   ')).toBeNull();
  });

  it('matches a case-insensitive substring', () => {
    const q = parseQuery('  Fib ')!;
    expect(q.text).toBe('Fib');
    expect(q.test('fibonacci')).toBe(true);
    expect(q.test('FIB')).toBe(true);
    expect(q.test('fi b')).toBe(false);
  });

  it('reads /pattern/ as a case-insensitive regular expression', () => {
    const q = parseQuery('/^(hot|COLD)_\\d+$/')!;
    expect(q.error).toBe('');
    expect(q.test('hot_70')).toBe(true);
    expect(q.test('cold_30')).toBe(true);
    expect(q.test('hot_70x')).toBe(false);
    // A lone slash or `//` is text, not an empty regex.
    expect(parseQuery('/')!.test('a/b')).toBe(true);
    expect(parseQuery('//')!.test('http://x')).toBe(true);
  });

  it('reports a bad regular expression instead of throwing, and matches nothing', () => {
    const q = parseQuery('/(unclosed/')!;
    expect(q.error).toMatch(/^not a valid regular expression/);
    expect(q.test('(unclosed')).toBe(false);
  });
});

describe('searchFrames on real converter output', () => {
  const graph = loadGraph('lines_memory');

  it('finds functions by name', () => {
    expect([...searchFrames(graph, 'FIB')!.frames]).toEqual([frameNamed(graph, 'fib')]);
    const hotCold = searchFrames(graph, '/^(hot|cold)_/')!.frames;
    expect(new Set(hotCold)).toEqual(new Set([frameNamed(graph, 'hot_70'), frameNamed(graph, 'cold_30')]));
  });

  it('finds functions by file', () => {
    const result = searchFrames(graph, 'libpython3.11')!;
    expect(result.frames.size).toBeGreaterThan(0);
    for (const f of result.frames) {
      expect(graph.frames[f].file).toContain('libpython3.11');
    }
    const workloads = searchFrames(graph, 'workloads.py')!.frames;
    expect(new Set([...workloads].map(f => graph.frames[f].name))).toEqual(
      new Set(['spin', 'fib', 'hot_70', 'cold_30', 'mixed'])
    );
  });

  it('returns null for no query and an empty set for a bad regex', () => {
    expect(searchFrames(graph, '')).toBeNull();
    const bad = searchFrames(graph, '/[/')!;
    expect(bad.frames.size).toBe(0);
    expect(bad.query.error).not.toBe('');
  });
});

describe('highlightFlame', () => {
  const graph = loadGraph('lines_memory');
  const fib = frameNamed(graph, 'fib');
  const fibNodes = graph.tree.frame.filter(f => f === fib).length;

  it('keeps the colour of matching boxes and dims the rest', () => {
    const view = buildFlame(graph, flameOptions);
    const matches = searchFrames(graph, 'fib')!.frames;
    const lit = highlightFlame(graph, view, matches);
    expect(lit.colors).toHaveLength(view.trace.ids.length);
    view.treeNodes.forEach((node, i) => {
      const original = view.trace.marker.colors[i];
      if (graph.tree.frame[node] === fib) {
        expect(lit.colors[i]).toBe(original);
      } else {
        expect(lit.colors[i]).toBe(dimColor(original));
        expect(lit.colors[i]).toMatch(/^rgba\(\d+, \d+, \d+, 0\.25\)$/);
      }
    });
    expect(fibNodes).toBe(14); // 14 levels of fib under spin
    expect(lit.matchedBoxes).toBe(fibNodes);
    expect(lit.hiddenMatches).toBe(0);
    // fib is recursive: its samples count once, not once per level.
    expect(lit.matchedSamples).toBe(graph.frames[fib].total);
    // buildFlame's trace is not changed.
    expect(view.trace.marker.colors).toEqual(buildFlame(graph, flameOptions).trace.marker.colors);
  });

  it('keeps a merged box lit when it hides a match, and counts the hidden matches', () => {
    const view = buildFlame(graph, { maxNodes: 8, minNodeFraction: 0 });
    expect(view.mergedBoxes).toBeGreaterThan(0);
    const lit = highlightFlame(graph, view, new Set([fib]));
    expect(lit.matchedBoxes + lit.hiddenMatches).toBe(fibNodes);
    expect(lit.hiddenMatches).toBeGreaterThan(0);
    const litMerged = view.treeNodes.filter((n, i) => n < 0 && lit.colors[i] === view.trace.marker.colors[i]);
    expect(litMerged.length).toBeGreaterThan(0);
  });

  it('counts only the zoomed view', () => {
    // Zoom into cold_30: no fib below it.
    const coldNode = graph.tree.frame.indexOf(frameNamed(graph, 'cold_30'));
    const view = buildFlame(graph, { ...flameOptions, root: coldNode });
    const lit = highlightFlame(graph, view, new Set([fib]));
    expect(lit.matchedBoxes).toBe(0);
    expect(lit.hiddenMatches).toBe(0);
    expect(lit.matchedSamples).toBe(0);
    const spin = highlightFlame(graph, view, new Set([frameNamed(graph, 'spin')]));
    expect(spin.matchedSamples).toBe(228);
  });

  it.each(GRAPH_FIXTURES)('holds its invariants on %s', name => {
    const g = loadGraph(name);
    const view = buildFlame(g, { maxNodes: 40, minNodeFraction: 0.001, maxDepth: 8 });
    const matches = searchFrames(g, '/a/')!.frames;
    const lit = highlightFlame(g, view, matches);
    const inTree = g.tree.frame.filter(f => matches.has(f)).length;
    expect(lit.matchedBoxes + lit.hiddenMatches).toBe(inTree);
    expect(lit.matchedSamples).toBeLessThanOrEqual(g.profile.samples);
    expect(lit.colors).toHaveLength(view.trace.ids.length);
  });

  it('finds names with markup by their characters; the flame labels stay escaped', () => {
    const evil = graphFromStacks([
      { stack: ['main', EVIL_NAME], count: 3 },
      { stack: ['main', 'other'], count: 1 }
    ]);
    const result = searchFrames(evil, '<img src')!;
    expect([...result.frames].map(f => evil.frames[f].name)).toEqual([EVIL_NAME]);
    expect(searchFrames(evil, EVIL_ESCAPED)!.frames.size).toBe(0);
    const view = buildFlame(evil, flameOptions);
    const lit = highlightFlame(evil, view, result.frames);
    const i = view.trace.labels.indexOf(EVIL_ESCAPED);
    expect(i).toBeGreaterThan(0);
    expect(lit.colors[i]).toBe(view.trace.marker.colors[i]);
    expect(lit.matchedBoxes).toBe(1);
  });
});

describe('dimColor', () => {
  it('makes the theme colours translucent', () => {
    expect(dimColor('#4c8be2')).toBe('rgba(76, 139, 226, 0.25)');
    expect(dimColor(FALLBACK_KIND_COLORS.native)).toBe('rgba(224, 136, 58, 0.25)');
    expect(dimColor('#abc')).toBe('rgba(170, 187, 204, 0.25)');
    expect(dimColor('#11223380')).toBe('rgba(17, 34, 51, 0.125)');
    expect(dimColor(' rgb(1, 2, 3) ')).toBe('rgba(1, 2, 3, 0.25)');
    expect(dimColor('rgba(1,2,3,0.5)')).toBe('rgba(1, 2, 3, 0.125)');
    expect(dimColor('rgb(10 20 30 / 50%)')).toBe('rgba(10, 20, 30, 0.125)');
  });

  it('falls back to a translucent grey for colours it cannot read', () => {
    expect(dimColor('rebeccapurple')).toBe(DIMMED_FALLBACK);
    expect(dimColor('hsl(10, 50%, 50%)')).toBe(DIMMED_FALLBACK);
    expect(dimColor('#12345')).toBe(DIMMED_FALLBACK);
    expect(dimColor('')).toBe(DIMMED_FALLBACK);
  });
});

describe('tableRowMatcher', () => {
  it('selects the rows of matching functions, never the synthetic rows', () => {
    const graph = loadGraph('numpy_work');
    const matches = searchFrames(graph, 'numpy')!.frames;
    expect(matches.size).toBeGreaterThan(0);
    const table = buildTable(graph, { maxRows: 10 });
    const match = tableRowMatcher(matches);
    const shown = table.rows.filter(match);
    for (const row of shown) {
      expect(`${row.name} ${row.file}`.toLowerCase()).toContain('numpy');
    }
    expect(table.rows.filter(r => r.frame < 0).some(match)).toBe(false);
    // Every matching row is found.
    expect(shown.length).toBe(table.rows.filter(r => r.frame >= 0 && matches.has(r.frame)).length);
  });
});

describe('searchSummary', () => {
  const graph = loadGraph('lines_memory');

  it('says how many functions match and their share of the view, each sample once', () => {
    const result = searchFrames(graph, 'fib')!;
    const view = buildFlame(graph, flameOptions);
    const text = searchSummary(result, highlightFlame(graph, view, result.frames), view.viewTotal);
    expect(text).toBe('1 function matches: on the stack in 523 samples (69.2%) of this view');
  });

  it('points to zooming when matches have no box', () => {
    const result = searchFrames(graph, 'fib')!;
    const view = buildFlame(graph, { maxNodes: 8, minNodeFraction: 0 });
    const lit = highlightFlame(graph, view, result.frames);
    expect(searchSummary(result, lit, view.viewTotal)).toMatch(
      new RegExp(`; ${lit.hiddenMatches} more calls are too small or too deep to draw here: zoom in$`)
    );
  });

  it('reports no match and a bad regex', () => {
    const view = buildFlame(graph, flameOptions);
    const none = searchFrames(graph, 'no such thing')!;
    expect(searchSummary(none, highlightFlame(graph, view, none.frames), view.viewTotal)).toBe('no function matches');
    const bad = searchFrames(graph, '/(/')!;
    expect(searchSummary(bad, highlightFlame(graph, view, bad.frames), view.viewTotal)).toMatch(/^not a valid regular expression/);
  });
});
