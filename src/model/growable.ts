/**
 * Append-only typed arrays that double when full: samples arrive one at a
 * time and their number is unknown until the end of the file.
 *
 * `toArray()` ends the pushing: on a file of samples alone, the sample arrays
 * are most of the memory, so the values are handed over without a copy where
 * that wastes little (docs/benchmarks.md, issue 13).
 */

/** Storage at least this full is handed over as it is (at most 1/8 of it unused), not copied. */
const SHARED_FILL = 7 / 8;

/** The first `length` values of `data`: the storage itself when nearly full, else a copy. */
function exactly<T extends Int32Array | Float64Array>(data: T, length: number): T {
  return (length >= data.length * SHARED_FILL ? data.subarray(0, length) : data.slice(0, length)) as T;
}

export class GrowableInt32 {
  data = new Int32Array(1024);
  length = 0;

  /** Makes room for `capacity` values in all (one copy now instead of doublings later). */
  reserve(capacity: number): void {
    if (capacity > this.data.length) {
      const bigger = new Int32Array(capacity);
      bigger.set(this.data.subarray(0, this.length));
      this.data = bigger;
    }
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Int32Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  /** Appends a whole array (one copy, no per-value growth checks). */
  pushAll(values: Int32Array): void {
    if (this.length + values.length > this.data.length) {
      const bigger = new Int32Array(Math.max(this.data.length * 2, this.length + values.length));
      bigger.set(this.data.subarray(0, this.length));
      this.data = bigger;
    }
    this.data.set(values, this.length);
    this.length += values.length;
  }

  /**
   * Exactly the pushed values, once pushing is done: the storage itself when it is nearly
   * full (reserved or adopted arrays), else a copy.
   */
  toArray(): Int32Array {
    return exactly(this.data, this.length);
  }

  /** A growable whose values are `values` itself: kept, not copied (the caller gives them up). */
  static adopting(values: Int32Array): GrowableInt32 {
    const out = new GrowableInt32();
    if (values.length === 0) {
      return out; // push doubles the storage: it must not be empty
    }
    out.data = values;
    out.length = values.length;
    return out;
  }
}

export class GrowableFloat64 {
  data = new Float64Array(1024);
  length = 0;

  /** Makes room for `capacity` values in all (one copy now instead of doublings later). */
  reserve(capacity: number): void {
    if (capacity > this.data.length) {
      const bigger = new Float64Array(capacity);
      bigger.set(this.data.subarray(0, this.length));
      this.data = bigger;
    }
  }

  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = new Float64Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }

  /** Appends a whole array (one copy, no per-value growth checks). */
  pushAll(values: Float64Array): void {
    if (this.length + values.length > this.data.length) {
      const bigger = new Float64Array(Math.max(this.data.length * 2, this.length + values.length));
      bigger.set(this.data.subarray(0, this.length));
      this.data = bigger;
    }
    this.data.set(values, this.length);
    this.length += values.length;
  }

  /**
   * Exactly the pushed values, once pushing is done: the storage itself when it is nearly
   * full (reserved or adopted arrays), else a copy.
   */
  toArray(): Float64Array {
    return exactly(this.data, this.length);
  }

  /** A growable whose values are `values` itself: kept, not copied (the caller gives them up). */
  static adopting(values: Float64Array): GrowableFloat64 {
    const out = new GrowableFloat64();
    if (values.length === 0) {
      return out; // push doubles the storage: it must not be empty
    }
    out.data = values;
    out.length = values.length;
    return out;
  }
}
