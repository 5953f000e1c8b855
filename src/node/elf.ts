/**
 * Names `<native symbol 0x…>` frames from the ELF symbol tables of the
 * libraries the profiled process had mapped (Node only: reads files).
 *
 * Input: the process's /proc/<pid>/maps text, saved by the kernel side.
 * For an address A in a mapping [start, end) of file F at file offset O,
 * the file offset of A is A − start + O; a PT_LOAD program header turns it
 * into the ELF virtual address, looked up in .symtab (if not stripped) and
 * .dynsym. ELF spec: https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.intro.html
 * (64-bit little-endian files only; others are skipped.)
 */

import { closeSync, fstatSync, openSync, readSync } from 'fs';
import { INativeSymbol } from '../symbols/symbolize';
import { ISymbolSection, SymbolTable } from './elf-symbols';

interface IMapping {
  start: number;
  end: number;
  offset: number;
  path: string;
}

interface IElfImage {
  loads: Array<{ offset: number; vaddr: number; filesz: number }>;
  symbols: SymbolTable;
}

/** Largest symbol/string table we read from one file (bounds memory on odd files). */
const MAX_TABLE_BYTES = 256 * 1024 * 1024;

export function parseMaps(text: string): IMapping[] {
  const out: IMapping[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+)\s+\S+\s+([0-9a-f]+)\s+\S+\s+\d+\s+(\/.*)$/.exec(line.trim());
    if (m) {
      out.push({ start: parseInt(m[1], 16), end: parseInt(m[2], 16), offset: parseInt(m[3], 16), path: m[4].trim() });
    }
  }
  return out.sort((a, b) => a.start - b.start);
}

export class NativeResolver {
  private mappings: IMapping[];
  private images = new Map<string, IElfImage | null>();

  constructor(mapsText: string, private warnings: string[]) {
    this.mappings = parseMaps(mapsText);
  }

  resolve(address: number): INativeSymbol | null {
    const mapping = this.mappingOf(address);
    if (!mapping) {
      return null;
    }
    const image = this.image(mapping.path);
    if (!image) {
      return null;
    }
    const fileOffset = address - mapping.start + mapping.offset;
    const load = image.loads.find(l => fileOffset >= l.offset && fileOffset < l.offset + l.filesz);
    if (!load) {
      return null;
    }
    const name = image.symbols.nameAt(fileOffset - load.offset + load.vaddr);
    return name !== null ? { name, file: mapping.path } : null;
  }

  /** The file mapped at `address` (a library or the executable), if any. */
  libraryOf(address: number): string | null {
    return this.mappingOf(address)?.path ?? null;
  }

  private mappingOf(address: number): IMapping | null {
    let lo = 0;
    let hi = this.mappings.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.mappings[mid].start <= address) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    const m = this.mappings[lo - 1];
    return m && address < m.end ? m : null;
  }

  private image(path: string): IElfImage | null {
    if (!this.images.has(path)) {
      try {
        this.images.set(path, readElf(path));
      } catch (err) {
        this.warnings.push(`cannot read symbols of ${path}: ${(err as Error).message}`);
        this.images.set(path, null);
      }
    }
    return this.images.get(path) ?? null;
  }
}

function readElf(path: string): IElfImage | null {
  const fd = openSync(path, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    const read = (offset: number, length: number): DataView => {
      if (offset < 0 || length < 0 || offset + length > fileSize || length > MAX_TABLE_BYTES) {
        throw new Error(`ELF range ${offset}+${length} outside the file`);
      }
      const buf = Buffer.alloc(length);
      readSync(fd, buf, 0, length, offset);
      return new DataView(buf.buffer, buf.byteOffset, length);
    };
    const h = read(0, 64);
    const isElf64Le = h.getUint32(0, false) === 0x7f454c46 && h.getUint8(4) === 2 && h.getUint8(5) === 1;
    if (!isElf64Le) {
      return null;
    }
    const u64 = (v: DataView, at: number) => Number(v.getBigUint64(at, true));
    const phoff = u64(h, 0x20);
    const shoff = u64(h, 0x28);
    const phnum = h.getUint16(0x38, true);
    const shnum = h.getUint16(0x3c, true);
    const loads: IElfImage['loads'] = [];
    const ph = read(phoff, phnum * 56);
    for (let i = 0; i < phnum; i++) {
      if (ph.getUint32(i * 56, true) === 1) {
        loads.push({ offset: u64(ph, i * 56 + 8), vaddr: u64(ph, i * 56 + 16), filesz: u64(ph, i * 56 + 32) });
      }
    }
    const sh = read(shoff, shnum * 64);
    const tables: ISymbolSection[] = [];
    for (let i = 0; i < shnum; i++) {
      const type = sh.getUint32(i * 64 + 4, true);
      if (type !== 2 && type !== 11) {
        continue; // SHT_SYMTAB, SHT_DYNSYM
      }
      const link = sh.getUint32(i * 64 + 40, true);
      if (link >= shnum) {
        continue;
      }
      const syms = read(u64(sh, i * 64 + 24), u64(sh, i * 64 + 32));
      const strs = read(u64(sh, link * 64 + 24), u64(sh, link * 64 + 32));
      tables.push({ syms, strs: new Uint8Array(strs.buffer, strs.byteOffset, strs.byteLength) });
    }
    return { loads, symbols: SymbolTable.of(tables) };
  } finally {
    closeSync(fd);
  }
}
