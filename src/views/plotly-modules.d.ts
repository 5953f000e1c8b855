/**
 * plotly.js ships types for its full entry only; the modules of a partial
 * bundle (plotly-bundle.ts) are typed here: the core has the whole API
 * (it lacks only the unregistered trace types), a trace module is only
 * ever handed to `register`.
 */
declare module 'plotly.js/lib/core' {
  import Plotly from 'plotly.js';
  export default Plotly;
}

declare module 'plotly.js/lib/bar' {
  import type { PlotlyModule } from 'plotly.js';
  const trace: PlotlyModule;
  export default trace;
}

declare module 'plotly.js/lib/icicle' {
  import type { PlotlyModule } from 'plotly.js';
  const trace: PlotlyModule;
  export default trace;
}

declare module 'plotly.js/lib/scatter' {
  import type { PlotlyModule } from 'plotly.js';
  const trace: PlotlyModule;
  export default trace;
}
