/**
 * Extra webpack configuration for the labextension build (package.json,
 * "jupyterlab.webpackConfig"), merged into @jupyterlab/builder's.
 *
 * plotly.js's registry imports maplibre-gl's stylesheet for map traces;
 * our partial bundle (src/views/plotly-bundle.ts) registers none, so that
 * module would only add ~34 kB to the plotly chunk.
 *
 * BundledPackages writes lib-node/labextension-packages.json: the npm packages
 * whose modules ended up in the emitted chunks, for THIRD-PARTY-LICENSES.md
 * (scripts/third-party-licenses.mjs).
 */
const fs = require('fs');
const path = require('path');

class BundledPackages {
  apply(compiler) {
    compiler.hooks.afterEmit.tap('BundledPackages', compilation => {
      const packages = new Set();
      for (const module of compilation.modules) {
        const resource = module.resource || (module.rootModule && module.rootModule.resource);
        const inChunks = compilation.chunkGraph.getNumberOfModuleChunks(module) > 0;
        const modules = module.modules || [module]; // concatenated modules hold several
        for (const inner of modules) {
          const file = inner.resource || resource;
          const match = inChunks && file && file.match(/.*node_modules[/\\]((?:@[^/\\]+[/\\])?[^/\\]+)/);
          if (match) {
            packages.add(path.relative(__dirname, match[0]).split(path.sep).join('/'));
          }
        }
      }
      const out = path.join(__dirname, 'lib-node', 'labextension-packages.json');
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.writeFileSync(out, JSON.stringify([...packages].sort(), null, 1) + '\n');
    });
  }
}

module.exports = {
  resolve: {
    alias: {
      'maplibre-gl/dist/maplibre-gl.css': false
    }
  },
  plugins: [new BundledPackages()]
};
