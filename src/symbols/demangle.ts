/**
 * Names for people from native symbols: C++ and Rust symbols demangled
 * with the demangler the Firefox profiler uses (gecko-profiler-demangle:
 * Rust's cpp_demangle, rustc-demangle and msvc-demangler compiled to
 * WebAssembly; Apache-2.0 OR MIT), and Cython's generated C names
 * (`__pyx_pw_6module_3fib`) shown as the Cython function (`module.fib`).
 *
 * The wasm (~520 kB) is embedded in the converter bundle (esbuild's binary
 * loader) and compiled only when a profile holds a mangled name. The few
 * lines of glue below replace the package's bundler-only ES module glue,
 * which neither Node's CommonJS nor the bundle can load as is.
 */
import wasmBytes from 'gecko-profiler-demangle/index_bg.wasm';

interface IDemanglerExports {
  memory: WebAssembly.Memory;
  demangle_any(ptr: number, len: number): [number, number];
  __wbindgen_malloc(size: number, align: number): number;
  __wbindgen_free(ptr: number, size: number, align: number): void;
  __wbindgen_export_0?: WebAssembly.Table;
  __wbindgen_start?: () => void;
}

let demangler: IDemanglerExports | null | undefined;

function instance(): IDemanglerExports | null {
  if (demangler === undefined) {
    try {
      let exports: IDemanglerExports | null = null;
      const imports = {
        './index_bg.js': {
          __wbindgen_init_externref_table: () => {
            const table = exports!.__wbindgen_export_0!;
            const offset = table.grow(4);
            table.set(0, undefined);
            table.set(offset + 0, undefined);
            table.set(offset + 1, null);
            table.set(offset + 2, true);
            table.set(offset + 3, false);
          }
        }
      };
      const module = new WebAssembly.Module(wasmBytes);
      exports = new WebAssembly.Instance(module, imports).exports as unknown as IDemanglerExports;
      exports.__wbindgen_start?.();
      demangler = exports;
    } catch {
      demangler = null; // names stay as recorded
    }
  }
  return demangler;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8');

/** Itanium C++ (`_Z…`), Rust (`_R…`, legacy `_ZN…17h<hash>E`) and MSVC (`?…`) symbols. */
const MANGLED = /^(?:_{1,2}Z|_R|\?)/;

export function looksMangled(name: string): boolean {
  return MANGLED.test(name);
}

/** The demangled symbol, or the name as it came when it is not mangled or cannot be read. */
export function demangleSymbol(name: string): string {
  if (!looksMangled(name)) {
    return name;
  }
  const wasm = instance();
  if (!wasm) {
    return name;
  }
  const bytes = encoder.encode(name);
  const ptr = wasm.__wbindgen_malloc(bytes.length, 1) >>> 0;
  new Uint8Array(wasm.memory.buffer).set(bytes, ptr);
  const [out, len] = wasm.demangle_any(ptr, bytes.length);
  try {
    const text = decoder.decode(new Uint8Array(wasm.memory.buffer, out >>> 0, len >>> 0));
    // Not a symbol after all, the demangler only dropped a leading underscore: keep the name.
    return text && !name.endsWith(text) ? text : name;
  } finally {
    wasm.__wbindgen_free(out, len, 1);
  }
}

const CYTHON = /^__pyx_(?:pw|pf|pyx|f|fuse_\d+)_(.+)$/;

/**
 * `__pyx_pw_5numpy_6random_6mtrand_11RandomState_3rand` → `numpy.random.mtrand.RandomState.rand`:
 * Cython writes each part of the qualified name with its length in front,
 * and the function with an index in front; null when the name is not Cython's.
 */
export function cythonName(name: string): string | null {
  const match = CYTHON.exec(name);
  if (!match) {
    return null;
  }
  const parts: string[] = [];
  let rest = match[1];
  while (rest) {
    const digits = /^\d+/.exec(rest)?.[0];
    if (digits === undefined) {
      parts.push(rest);
      break;
    }
    const length = Number(digits);
    const part = rest.slice(digits.length, digits.length + length);
    const after = rest.charAt(digits.length + length);
    if (part.length === length && (after === '_' || after === '')) {
      parts.push(part);
      rest = rest.slice(digits.length + length + 1);
    } else {
      parts.push(rest.slice(digits.length)); // an index, then the function's name
      break;
    }
  }
  return parts.length >= 2 && parts.every(p => /^[A-Za-z_]\w*$/.test(p)) ? parts.join('.') : null;
}

/** The name a view shows for a native frame. */
export function nativeDisplayName(name: string): string {
  return cythonName(name) ?? demangleSymbol(name);
}
