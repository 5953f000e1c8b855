/**
 * The keys that line up the functions of two profiles made by two
 * processes (the Compare view, model/diff.ts). A key holds only what
 * stays the same from one run to the next: never an address (ASLR moves
 * every library), a PID, a temporary folder or a cell's file name.
 *
 * - native and interpreter frames: the library's base name and the symbol,
 *   `libopenblas.so.0:dgemm_kernel_HASWELL`. The folder is dropped (a
 *   virtual environment or a wheel's `.libs` folder differs per install),
 *   and so is the build hash auditwheel puts in a vendored library's name
 *   (`libscipy_openblas64_-32a4b2a6.so`), which changes with every numpy
 *   build but not with what the function does.
 * - native frames no symbol table named (`<native symbol 0x…>`): one key
 *   per library (or one for all when the library is unknown); their
 *   addresses differ in every process, so apart they would only show as
 *   "gone" in A and "new" in B.
 * - Python frames: the function name and the file, every notebook cell
 *   counted as one file (ipykernel names a cell `/tmp/ipykernel_<pid>/
 *   <hash>.py`, new for each kernel and for each edit) and a file in a
 *   temporary folder by its base name. The first line is NOT part of the
 *   key: after an edit that adds two lines above it,
 *       def work():        # line 3 in A        # line 5 in B
 *   is still the same `work`, and that edited-cell comparison is the one
 *   most wanted. The price: two same-named functions of one file (methods
 *   `A.run` and `B.run`) merge into one row, counted once per sample.
 * - JIT frames: the name alone (Numba, perf maps: the code lives at a new
 *   address each run, and a perf map's "file" is the map's own name).
 */
import type { IFunctionMatch } from '../model/diff';
import type { IFrame } from '../model/profile';
import { NOTEBOOK_CELL_FILES } from './frame-lists';

/** The file key of every notebook cell, whatever its kernel and version. */
export const NOTEBOOK_CELL_KEY = '<notebook cell>';
/** What native frames without a symbol are shown and matched as. */
export const UNNAMED_NATIVE = '<unnamed native code>';

const UNNAMED = /^<native symbol 0x[0-9a-f]+>$/;
/** auditwheel's `-<8 hex>` before `.so` in a vendored library's name. */
const BUILD_HASH = /-[0-9a-f]{8}(?=\.so(\.|$))/;
/** `/tmp/…`, `/var/tmp/…`, and mkdtemp-style folders (`tmpab12_cd`) anywhere. */
const TEMP_FOLDER = /(^|[/\\])(tmp|var[/\\]tmp|[^/\\]*tmp[a-z0-9_]{6,})[/\\]/i;

/** The library of a native frame as matched and shown: base name, no build hash. */
export function libraryName(file: string): string {
  const parts = file.split(/[\\/]/);
  return (parts[parts.length - 1] || file).replace(BUILD_HASH, '');
}

/** How a Python file is matched: cells as one file, temporary files by base name. */
export function sourceFileKey(file: string): string {
  if (NOTEBOOK_CELL_FILES.some(re => re.test(file))) {
    return NOTEBOOK_CELL_KEY;
  }
  if (TEMP_FOLDER.test(file)) {
    const parts = file.split(/[\\/]/);
    return `<temporary folder>/${parts[parts.length - 1]}`;
  }
  return file;
}

/**
 * The key a function is matched on across profiles, with the name it is
 * shown by and, for native code, the library as matched.
 */
export function matchFunction(frame: IFrame): IFunctionMatch {
  switch (frame.kind) {
    case 'native':
    case 'interpreter': {
      const library = libraryName(frame.file);
      const name = UNNAMED.test(frame.name) ? UNNAMED_NATIVE : frame.name;
      return { key: `native\u0000${library}\u0000${name}`, name, ...(library ? { library } : {}) };
    }
    case 'jit':
      return { key: `jit\u0000\u0000${frame.name}`, name: frame.name };
    default:
      return { key: `${frame.kind}\u0000${sourceFileKey(frame.file)}\u0000${frame.name}`, name: frame.name };
  }
}
