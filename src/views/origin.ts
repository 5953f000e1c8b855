/**
 * Whose code a frame is: the user's, or a library's (standard library,
 * site-packages, IPython and the kernel, the interpreter, this extension's
 * cell runner). Pure; used by the table's "my code" filter and by the
 * flame graph's "my code first" folding. Decided from the file path only,
 * as pyinstrument does: a notebook cell's file (`/tmp/ipykernel_…/….py`,
 * `<ipython-input-…>`) and any file outside those trees is the user's.
 */
import type { IGraphFrame } from '../model/graph-json';

export interface IFrameOrigin {
  /** The user's code: Python outside the library trees, or JIT-compiled. */
  mine: boolean;
  /** For library frames, a short name for people ('numpy', 'stdlib', …); '' if mine. */
  library: string;
}

const PACKAGES = /[/\\](?:site|dist)-packages[/\\]([^/\\]+)/;
/** CPython's (lib/python3.11/, Lib\) and PyPy's (lib-python/3/, lib_pypy/) standard library. */
const STDLIB = /[/\\](?:lib[/\\]python\d+(?:\.\d+)?|Lib|lib-python[/\\]\d+|lib_pypy)[/\\]/;
/** The extension's own cell runner, wherever the package is imported from. */
const RUNNER = /[/\\]jupyterlab_vmprof[/\\]/;

export function frameOrigin(frame: Pick<IGraphFrame, 'file' | 'kind'>): IFrameOrigin {
  switch (frame.kind) {
    case 'jit':
      return { mine: true, library: '' };
    case 'interpreter':
      return { mine: false, library: 'interpreter' };
    case 'native':
      return { mine: false, library: nativeLibrary(frame.file) };
    case 'unknown':
      return { mine: false, library: 'unknown' };
    default:
      return pythonOrigin(frame.file);
  }
}

function pythonOrigin(file: string): IFrameOrigin {
  const inPackages = PACKAGES.exec(file);
  if (inPackages) {
    return { mine: false, library: inPackages[1].replace(/\.(py|pyc|so|pyd)$/, '') };
  }
  if (file.startsWith('<frozen ') || STDLIB.test(file)) {
    return { mine: false, library: 'stdlib' };
  }
  if (RUNNER.test(file)) {
    return { mine: false, library: 'jupyterlab_vmprof' };
  }
  return { mine: true, library: '' };
}

/** `libopenblas` for `/usr/lib/libopenblas.so.0`; 'native' when the library is unknown. */
export function nativeLibrary(file: string): string {
  const base = file.split(/[/\\]/).pop() ?? '';
  const name = base.replace(/\.(so|dll|dylib|pyd)(\..*)?$/i, '').replace(/\.cpython-.*$/, '');
  return name || 'native';
}

/** One origin per frame of a graph, for views that ask for many frames. */
export function frameOrigins(frames: readonly Pick<IGraphFrame, 'file' | 'kind'>[]): IFrameOrigin[] {
  return frames.map(frameOrigin);
}
