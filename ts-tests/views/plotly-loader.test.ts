/**
 * The plotly loader (src/views/plotly.ts) in Node, where the partial bundle
 * cannot load (plotly needs a DOM): a failed load is reported, then tried
 * again by the next caller rather than cached, and each attempt is marked
 * for the benchmarks. Drawing with the bundle is ts-tests/views/plotly-bundle.test.ts.
 */
import { loadPlotly, mark, MARKS } from '../../src/views/plotly';

describe('loadPlotly', () => {
  it('reports a failed load and tries again on the next call', async () => {
    performance.clearMarks();
    const first = loadPlotly();
    expect(loadPlotly()).toBe(first); // one load at a time
    await expect(first).rejects.toThrow(ReferenceError); // no window, self, document
    const second = loadPlotly();
    expect(second).not.toBe(first);
    await expect(second).rejects.toThrow(ReferenceError);
    expect(performance.getEntriesByName(MARKS.plotlyRequested).length).toBe(2);
    expect(performance.getEntriesByName(MARKS.plotlyReady).length).toBe(0);
  });

  it('marks without failing where User Timing is missing', () => {
    const saved = globalThis.performance;
    Object.defineProperty(globalThis, 'performance', { value: undefined, configurable: true });
    try {
      expect(() => mark(MARKS.flameDrawn)).not.toThrow();
    } finally {
      Object.defineProperty(globalThis, 'performance', { value: saved, configurable: true });
    }
  });
});
