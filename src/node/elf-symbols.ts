/**
 * The function symbols of one ELF file, found by address (elf.ts reads the
 * sections). ELF symbol table layout (Elf64_Sym, 24 bytes):
 * https://refspecs.linuxfoundation.org/elf/gabi4+/ch4.symtab.html
 *
 * Held in typed arrays, and a name is decoded only when an address looks it
 * up: a profile resolves a few hundred addresses, but the libraries a numpy
 * cell maps hold tens of thousands of symbols (an object and a string for
 * each took ~0.3 s and ~60 MB per conversion of a native-mode profile).
 */

/** One symbol section (.symtab or .dynsym) and the string table it names into. */
export interface ISymbolSection {
  syms: DataView;
  strs: Uint8Array;
}

const ENTRY_BYTES = 24;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;
const UNDERSCORE = 0x5f;
/** How far back from an address the lookup looks for a symbol whose size covers it. */
const COVER_LOOKBACK = 64;
/** Sort keys pack value and read order in one double while both fit (2^32 × 2^21 = 2^53). */
const ORDER_BITS = 2 ** 21;
const VALUE_LIMIT = 2 ** 32;

export class SymbolTable {
  private readonly decoder = new TextDecoder();
  private readonly names = new Map<number, string>();

  private constructor(
    /** Ascending, one entry per address. */
    private readonly values: Float64Array,
    private readonly sizes: Float64Array,
    /** Offset of the entry's name in its section's string table. */
    private readonly nameOffsets: Int32Array,
    private readonly sectionOf: Uint8Array,
    private readonly sections: readonly ISymbolSection[]
  ) {}

  /**
   * Every function symbol defined in the file (STT_FUNC or STT_GNU_IFUNC,
   * section index not 0) with a name. Where several sit at one address
   * (.symtab and .dynsym repeat each other; aliases), the first in section
   * order is kept unless a later one is sized where it was not, or has no
   * leading underscore where it had one: `__libc_malloc` and `malloc` at one
   * address name it `malloc`.
   */
  static of(sections: readonly ISymbolSection[]): SymbolTable {
    // Room for every entry, filled with the named functions (one pass over the tables).
    const room = sections.reduce((n, s) => n + Math.floor(s.syms.byteLength / ENTRY_BYTES), 0);
    const value = new Float64Array(room);
    const size = new Float64Array(room);
    const nameOffset = new Int32Array(room);
    const section = new Uint8Array(room);
    let count = 0;
    sections.forEach((s, index) => {
      for (let at = 0; at + ENTRY_BYTES <= s.syms.byteLength; at += ENTRY_BYTES) {
        if (isNamedFunction(s, at)) {
          value[count] = u64(s.syms, at + 8);
          size[count] = u64(s.syms, at + 16);
          nameOffset[count] = s.syms.getUint32(at, true);
          section[count++] = index;
        }
      }
    });
    const order = sortedByValue(value.subarray(0, count));
    // One entry per address, chosen in read order (the sort is stable).
    const underscored = (j: number) => sections[section[j]].strs[nameOffset[j]] === UNDERSCORE;
    const kept = new Int32Array(count);
    let keptCount = 0;
    for (let n = 0; n < count; n++) {
      const i = order[n];
      const last = keptCount - 1;
      if (last < 0 || value[kept[last]] !== value[i]) {
        kept[keptCount++] = i;
      } else if (prefer(i, kept[last], size, underscored)) {
        kept[last] = i;
      }
    }
    const table = new SymbolTable(
      new Float64Array(keptCount),
      new Float64Array(keptCount),
      new Int32Array(keptCount),
      new Uint8Array(keptCount),
      sections
    );
    for (let n = 0; n < keptCount; n++) {
      const i = kept[n];
      table.values[n] = value[i];
      table.sizes[n] = size[i];
      table.nameOffsets[n] = nameOffset[i];
      table.sectionOf[n] = section[i];
    }
    return table;
  }

  get size(): number {
    return this.values.length;
  }

  /** The name of the symbol starting at the address, else of one whose size covers it; null if none. */
  nameAt(vaddr: number): string | null {
    const { values, sizes } = this;
    let lo = 0;
    let hi = values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[mid] <= vaddr) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    for (let i = lo - 1; i >= 0 && i >= lo - COVER_LOOKBACK; i--) {
      if (values[i] === vaddr || vaddr < values[i] + sizes[i]) {
        return this.name(i);
      }
    }
    return null;
  }

  private name(i: number): string {
    let name = this.names.get(i);
    if (name === undefined) {
      const strs = this.sections[this.sectionOf[i]].strs;
      const start = this.nameOffsets[i];
      let end = start;
      while (end < strs.length && strs[end] !== 0) {
        end++;
      }
      name = this.decoder.decode(strs.subarray(start, end));
      this.names.set(i, name);
    }
    return name;
  }
}

function isNamedFunction(s: ISymbolSection, at: number): boolean {
  const type = s.syms.getUint8(at + 4) & 0xf;
  if ((type !== STT_FUNC && type !== STT_GNU_IFUNC) || s.syms.getUint16(at + 6, true) === 0) {
    return false;
  }
  const nameOffset = s.syms.getUint32(at, true);
  return nameOffset < s.strs.length && s.strs[nameOffset] !== 0;
}

/** An unsigned 64-bit field as a number, from two 32-bit reads (no BigInt per entry). */
function u64(view: DataView, at: number): number {
  return view.getUint32(at, true) + view.getUint32(at + 4, true) * 4294967296;
}

/** Whether entry `next` names an address better than `kept`, read before it. */
function prefer(next: number, kept: number, size: Float64Array, underscored: (i: number) => boolean): boolean {
  return (size[kept] === 0 && size[next] > 0) || (underscored(kept) && !underscored(next));
}

/** Indexes 0 … n−1 by ascending value, ties in index order. */
function sortedByValue(value: Float64Array): Int32Array {
  const n = value.length;
  const order = new Int32Array(n);
  if (n < ORDER_BITS && value.every(v => v < VALUE_LIMIT)) {
    // The usual case (library addresses are small): a native numeric sort of packed keys.
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      keys[i] = value[i] * ORDER_BITS + i;
    }
    keys.sort();
    for (let i = 0; i < n; i++) {
      order[i] = keys[i] % ORDER_BITS;
    }
    return order;
  }
  order.set(Array.from({ length: n }, (_, i) => i).sort((a, b) => value[a] - value[b] || a - b));
  return order;
}
