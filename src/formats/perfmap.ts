/**
 * Linux perf map files (`/tmp/perf-<pid>.map`), written by JITs.
 * Spec: https://github.com/torvalds/linux/blob/master/tools/perf/Documentation/jit-interface.txt
 * One entry per line: `START SIZE name`, START and SIZE in hex without 0x,
 * the name is the rest of the line (it may hold spaces).
 */

import { IAddressSymbol } from '../symbols/address-table';

export interface IPerfMap {
  symbols: IAddressSymbol[];
  /** Lines that are not `START SIZE name` (counted, not fatal). */
  badLines: number;
}

export function parsePerfMap(text: string): IPerfMap {
  const symbols: IAddressSymbol[] = [];
  let badLines = 0;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '') {
      continue;
    }
    const m = /^([0-9a-fA-F]+) ([0-9a-fA-F]+) (.*)$/.exec(line);
    if (!m) {
      badLines++;
      continue;
    }
    const start = parseInt(m[1], 16);
    const size = parseInt(m[2], 16);
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(size)) {
      badLines++;
      continue;
    }
    symbols.push({ start, size, name: m[3], file: '', line: 0 });
  }
  return { symbols, badLines };
}
