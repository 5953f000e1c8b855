/** esbuild's binary loader (package.json, build:converter) and ts-tests/demangle-wasm.js give the bytes. */
declare module '*.wasm' {
  const bytes: Uint8Array;
  export default bytes;
}
