/**
 * The plotly the views draw with: plotly's core plus only the trace types
 * our builders produce, so the first chart waits for ~1.3 MB of script
 * instead of the 4.8 MB full bundle (docs/benchmarks.md, "Flame graph of a
 * 100,000-node call tree"). Loaded only through `loadPlotly()` (plotly.ts),
 * which keeps it in its own chunk, off JupyterLab's start-up.
 *
 * A builder that starts producing another trace type must register it here;
 * ts-tests/views/plotly-bundle.test.ts draws every type the builders produce.
 */
import Plotly from 'plotly.js/lib/core';
import bar from 'plotly.js/lib/bar';
import icicle from 'plotly.js/lib/icicle';
import scatter from 'plotly.js/lib/scatter';

/** Trace types registered here, for the tests and error messages. */
export const TRACE_TYPES = ['icicle', 'bar', 'scatter'] as const;

// The core registers scatter today, but plotly asks partial bundles to
// register it anyway (it may leave the core); registering twice is a no-op.
Plotly.register([icicle, bar, scatter]);

export default Plotly;
