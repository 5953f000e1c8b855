/**
 * Append-only typed arrays that double when full: samples arrive one at a
 * time and their number is unknown until the end of the file.
 */

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

  /** A copy holding exactly the pushed values. */
  toArray(): Int32Array {
    return this.data.slice(0, this.length);
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

  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}
