/**
 * The kernel's `jit-symbols.json` (docs/architecture.md, profile store):
 * `[{"start", "size", "name", "file", "line", "kind"?}]`.
 *
 * - Entries without `"kind": "trampoline"` are code ranges of JIT-compiled
 *   functions: a native frame whose address falls inside gets that name.
 * - Entries with `"kind": "trampoline"` describe the Python trampoline frame
 *   the kernel puts in front of a Numba dispatcher (docs/kernel.md, "Numba trampolines"):
 *   a code object carrying the jitted function's name, file and first line.
 *   A Python frame with exactly that (name, file, line) is marked kind 'jit'.
 *   start/size are ignored for these.
 */

import { IAddressSymbol } from './address-table';

export interface IJitSymbols {
  ranges: IAddressSymbol[];
  /** Keys from trampolineKey(). */
  trampolines: Set<string>;
  /** Entries that were not understood (counted, not fatal). */
  skipped: number;
}

export function trampolineKey(name: string, file: string, line: number): string {
  return `${name}\u0000${file}\u0000${line}`;
}

export function parseJitSymbols(text: string): IJitSymbols {
  const data: unknown = JSON.parse(text);
  if (!Array.isArray(data)) {
    throw new Error('jit-symbols.json: expected a JSON array');
  }
  const out: IJitSymbols = { ranges: [], trampolines: new Set(), skipped: 0 };
  for (const item of data) {
    const e = item as Record<string, unknown>;
    if (typeof e !== 'object' || e === null || typeof e.name !== 'string') {
      out.skipped++;
      continue;
    }
    const file = typeof e.file === 'string' ? e.file : '';
    const line = typeof e.line === 'number' && Number.isInteger(e.line) ? e.line : 0;
    if (e.kind === 'trampoline') {
      out.trampolines.add(trampolineKey(e.name, file, line));
    } else if (Number.isSafeInteger(e.start) && Number.isSafeInteger(e.size)) {
      out.ranges.push({ start: e.start as number, size: e.size as number, name: e.name, file, line });
    } else {
      out.skipped++;
    }
  }
  return out;
}
