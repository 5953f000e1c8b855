/**
 * Extra webpack configuration for the labextension build (package.json,
 * "jupyterlab.webpackConfig"), merged into @jupyterlab/builder's.
 *
 * plotly.js's registry imports maplibre-gl's stylesheet for map traces;
 * our partial bundle (src/views/plotly-bundle.ts) registers none, so that
 * module would only add ~34 kB to the plotly chunk.
 */
module.exports = {
  resolve: {
    alias: {
      'maplibre-gl/dist/maplibre-gl.css': false
    }
  }
};
