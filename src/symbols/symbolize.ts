/**
 * Gives frames better names and kinds, frame by frame (the stack shape is
 * unchanged; frames that end up identical merge):
 * - unnamed native frames (`<native symbol 0x…>`) found in a JIT table
 *   become kind 'jit' with the JIT name; else a native resolver (ELF symbol
 *   tables, Node side) may name them;
 * - Python frames matching a JIT trampoline (jit-symbols.ts) become 'jit';
 * - native frames in the interpreter list become kind 'interpreter'.
 */

import { FrameKind } from '../model/graph-json';
import { IFrame, IProfile } from '../model/profile';
import { mapFrames } from '../model/transform';
import { AddressTable } from './address-table';
import { CPYTHON_INTERPRETER_FRAMES, baseSymbolName } from './frame-lists';
import { trampolineKey } from './jit-symbols';

export interface INativeSymbol {
  name: string;
  /** Shared object or source file. */
  file: string;
  line?: number;
}

export interface ISymbolizeOptions {
  jit?: AddressTable;
  trampolines?: ReadonlySet<string>;
  /** Resolves a native function start address (ELF tables); null if unknown. */
  resolveNative?: (address: number) => INativeSymbol | null;
  interpreterFrames?: readonly string[];
}

const UNNAMED = /^<native symbol (0x[0-9a-f]+)>$/;

export function symbolize(profile: IProfile, options: ISymbolizeOptions = {}): IProfile {
  return mapFrames(profile, frameSymbolizer(options));
}

/** The per-frame function behind symbolize(), for callers that fuse passes. */
export function frameSymbolizer(options: ISymbolizeOptions = {}): (frame: IFrame) => IFrame {
  const interpreter = new Set(options.interpreterFrames ?? CPYTHON_INTERPRETER_FRAMES);
  const trampolines = options.trampolines ?? new Set<string>();
  return frame => {
    if (frame.kind === 'python') {
      // A line-level frame's `line` is the executing line; the trampoline is keyed by the first line.
      const firstLine = frame.functionLine ?? frame.line;
      return trampolines.has(trampolineKey(frame.name, frame.file, firstLine)) ? { ...frame, kind: 'jit' } : frame;
    }
    if (frame.kind !== 'native') {
      return frame;
    }
    const named = nameNative(frame, options);
    const kind: FrameKind = named.kind === 'native' && interpreter.has(baseSymbolName(named.name)) ? 'interpreter' : named.kind;
    return kind === named.kind ? named : { ...named, kind };
  };
}

function nameNative(frame: IFrame, options: ISymbolizeOptions): IFrame {
  const m = UNNAMED.exec(frame.name);
  if (!m) {
    return frame;
  }
  // vmprof records the function start address with bit 0 set.
  const address = Number(m[1]) - 1;
  if (!Number.isSafeInteger(address)) {
    return frame;
  }
  const jit = options.jit?.lookup(address);
  if (jit) {
    return { name: jit.name, file: jit.file, line: jit.line, kind: 'jit' };
  }
  const native = options.resolveNative?.(address);
  if (native) {
    return { name: native.name, file: native.file, line: native.line ?? 0, kind: 'native' };
  }
  return frame;
}
