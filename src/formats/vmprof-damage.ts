/**
 * What the vmprof reader skipped in a damaged file, and how it is told:
 * the first few regions one by one, then one line for all (a file damaged in
 * thousands of places must not make thousands of warnings).
 */

import type { IDamageSummary } from './vmprof-layout';

const DETAILED = 3;

interface IRegion {
  from: number;
  to: number;
  why: string;
  lost: number;
}

export class DamageLog {
  private regions: IRegion[] = [];
  private count = 0;
  private bytes = 0;
  private lost = 0;
  private first = -1;

  /** Adds a region; returns its number (for moveStart). */
  add(from: number, to: number, why: string, lost: number): number {
    if (this.first < 0) {
      this.first = from;
    }
    this.count++;
    this.bytes += to - from;
    this.lost += lost;
    if (this.regions.length < DETAILED) {
      this.regions.push({ from, to, why, lost });
    }
    return this.count - 1;
  }

  /** Region `index` starts earlier, at `from`, with `lost` more samples (a sample found to be damage). */
  moveStart(index: number, from: number, lost: number): void {
    const r = this.regions[index];
    if (index === 0 || this.first > from) {
      this.first = Math.min(this.first, from);
    }
    if (r !== undefined) {
      this.bytes += r.from - from;
      r.from = from;
      r.lost += lost;
    }
    this.lost += lost;
  }

  /** Why the first damaged region could not be read. */
  firstReason(): string {
    return this.regions.length > 0 ? `damaged at byte ${this.regions[0].from} (${this.regions[0].why})` : '';
  }

  summary(): IDamageSummary | null {
    return this.count === 0
      ? null
      : { firstOffset: this.first, regions: this.count, bytes: this.bytes, samplesLost: this.lost };
  }

  warnings(): string[] {
    const out = this.regions.map(
      r =>
        `the file is damaged at byte ${r.from} (${r.why}): ${r.to - r.from} bytes were skipped, ` +
        `with ${r.lost} sample(s) that could be recognised there`
    );
    if (this.count > DETAILED || this.count > 1) {
      out.push(
        `in all, ${this.count} damaged region(s) from byte ${this.first}: ${this.bytes} bytes and ${this.lost} ` +
          'recognisable sample(s) skipped; every readable record around them was kept'
      );
    }
    return out;
  }
}
