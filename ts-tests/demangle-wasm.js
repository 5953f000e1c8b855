/**
 * Jest: the demangler's wasm bytes, as esbuild's binary loader gives them in
 * the converter bundle (the package is an ES module, which Jest's CommonJS
 * cannot import).
 */
const fs = require('fs');
const path = require('path');

const file = path.join(__dirname, '..', 'node_modules', 'gecko-profiler-demangle', 'index_bg.wasm');
module.exports = { __esModule: true, default: new Uint8Array(fs.readFileSync(file)) };
