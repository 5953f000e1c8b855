/**
 * The ELF function-symbol table (src/node/elf-symbols.ts) on symbol
 * sections written byte by byte (Elf64_Sym: name, info, other, shndx,
 * value, size): which entries count, which of several at one address names
 * it, and the lookup of an address inside a function.
 */
import { ISymbolSection, SymbolTable } from '../../src/node/elf-symbols';

const STT_OBJECT = 1;
const STT_FUNC = 2;
const STT_GNU_IFUNC = 10;

interface ISym {
  name: string;
  value: number;
  size: number;
  type?: number;
  shndx?: number;
}

function section(symbols: ISym[]): ISymbolSection {
  const names = [''];
  const offsets: number[] = [];
  let at = 1;
  for (const s of symbols) {
    offsets.push(s.name === '' ? 0 : at);
    if (s.name !== '') {
      names.push(s.name);
      at += Buffer.byteLength(s.name) + 1;
    }
  }
  const strs = new Uint8Array(Buffer.from(names.join('\0') + '\0'));
  const syms = new DataView(new ArrayBuffer(24 * symbols.length));
  symbols.forEach((s, i) => {
    syms.setUint32(i * 24, offsets[i], true);
    syms.setUint8(i * 24 + 4, (1 << 4) | (s.type ?? STT_FUNC)); // STB_GLOBAL
    syms.setUint16(i * 24 + 6, s.shndx ?? 12, true);
    syms.setBigUint64(i * 24 + 8, BigInt(s.value), true);
    syms.setBigUint64(i * 24 + 16, BigInt(s.size), true);
  });
  return { syms, strs };
}

describe('ELF function symbols', () => {
  const dynsym = section([
    { name: 'compute', value: 0x2000, size: 0x100 },
    { name: '__libc_malloc', value: 0x1000, size: 0x80 },
    { name: 'table', value: 0x3000, size: 0x1000, type: STT_OBJECT },
    { name: 'imported', value: 0, size: 0, shndx: 0 },
    { name: 'resolver', value: 0x4000, size: 0x10, type: STT_GNU_IFUNC },
    { name: '', value: 0x5000, size: 0x10 }
  ]);
  const symtab = section([
    { name: 'malloc', value: 0x1000, size: 0x80 },
    { name: 'compute_alias', value: 0x2000, size: 0 },
    { name: 'static_helper', value: 0x2100, size: 0 }
  ]);
  const table = SymbolTable.of([dynsym, symtab]);

  test('functions defined here, with a name: no data, no undefined, no nameless entry', () => {
    expect(table.size).toBe(4); // 0x1000, 0x2000, 0x2100, 0x4000
    expect(table.nameAt(0x3000)).toBeNull();
    expect(table.nameAt(0x5000)).toBeNull();
    expect(table.nameAt(0x4004)).toBe('resolver');
  });

  test('one name per address: without a leading underscore, then sized, else the first read', () => {
    expect(table.nameAt(0x1000)).toBe('malloc');
    expect(table.nameAt(0x2000)).toBe('compute');
  });

  test('an address inside a function is named by it; past its size, by nothing', () => {
    expect(table.nameAt(0x1040)).toBe('malloc');
    expect(table.nameAt(0x20ff)).toBe('compute');
    // A symbol of size 0 names only its own address: 0x2100 is static_helper, 0x2104 is past compute.
    expect(table.nameAt(0x2100)).toBe('static_helper');
    expect(table.nameAt(0x2104)).toBeNull();
    expect(table.nameAt(0x10)).toBeNull();
  });

  test('addresses past 4 GB sort and look up as well', () => {
    const high = SymbolTable.of([
      section([
        { name: 'far', value: 0x1_0000_2000, size: 0x10 },
        { name: 'near', value: 0x400000, size: 0x10 },
        { name: 'farther', value: 0x2_0000_0000, size: 0x10 }
      ])
    ]);
    expect([0x400008, 0x1_0000_2008, 0x2_0000_0004].map(a => high.nameAt(a))).toEqual(['near', 'far', 'farther']);
  });
});
