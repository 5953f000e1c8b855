/**
 * Address → symbol lookup over ranges [start, start + size). Ranges may
 * overlap when a JIT reuses memory; the entry added last wins, as in a perf
 * map that is appended to while the process runs.
 */

export interface IAddressSymbol {
  start: number;
  size: number;
  name: string;
  /** Source file of the code, '' if unknown. */
  file: string;
  line: number;
}

export class AddressTable {
  private entries: Array<IAddressSymbol & { seq: number }> = [];
  private maxEnd: number[] = [];
  private dirty = false;

  add(symbols: readonly IAddressSymbol[]): void {
    for (const s of symbols) {
      this.entries.push({ ...s, seq: this.entries.length });
    }
    this.dirty = true;
  }

  get size(): number {
    return this.entries.length;
  }

  lookup(address: number): IAddressSymbol | null {
    this.prepare();
    const e = this.entries;
    // Last entry starting at or before the address.
    let lo = 0;
    let hi = e.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (e[mid].start <= address) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    let best: (IAddressSymbol & { seq: number }) | null = null;
    for (let i = lo - 1; i >= 0 && this.maxEnd[i] > address; i--) {
      const s = e[i];
      if (address < s.start + Math.max(s.size, 1) && (best === null || s.seq > best.seq)) {
        best = s;
      }
    }
    return best;
  }

  private prepare(): void {
    if (!this.dirty) {
      return;
    }
    this.entries.sort((a, b) => a.start - b.start || a.seq - b.seq);
    let end = -Infinity;
    this.maxEnd = this.entries.map(s => (end = Math.max(end, s.start + Math.max(s.size, 1))));
    this.dirty = false;
  }
}
