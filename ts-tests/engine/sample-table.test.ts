/**
 * The reader's sample arrays (src/formats/vmprof-samples.ts) are sized from the samples'
 * density in the file, not from the first sample's size: a file whose samples are each
 * followed by another record gets room for the samples it holds, not for twice as many.
 */

import { SampleTable } from '../../src/formats/vmprof-samples';

const HEADER_BYTES = 100;

/** Pushes samples of `sampleBytes` each, `otherBytes` of other records after each, as the record reader does. */
function fill(sampleBytes: number, otherBytes: number, fileBytes: number): SampleTable {
  const table = new SampleTable();
  for (let start = HEADER_BYTES; start + sampleBytes <= fileBytes; start += sampleBytes + otherBytes) {
    table.makeRoom(start, start + sampleBytes, fileBytes);
    table.push(0, 0, start, null, null);
  }
  return table;
}

test('a sample followed by a name record each (the frames file): room for the samples there are, not 2.3 times', () => {
  const table = fill(41, 52, 1 << 20); // 41-byte samples, 52-byte name records
  const samples = Math.floor(((1 << 20) - HEADER_BYTES - 41) / 93) + 1;
  expect(table.length).toBe(samples);
  expect(table.stacks.data.length).toBeGreaterThanOrEqual(samples);
  expect(table.stacks.data.length / samples).toBeLessThanOrEqual(1.01);
  expect(table.offsets.data.length).toBe(table.stacks.data.length);
});

test('samples alone (the ordinary file): room for exactly the samples there are', () => {
  const table = fill(33, 0, 8 << 20);
  expect(table.length).toBe(Math.floor(((8 << 20) - HEADER_BYTES) / 33));
  expect(table.stacks.data.length - table.length).toBeLessThanOrEqual(1);
});

test('deep samples first, then shallow ones: the room grows with the density, at most 1/8 over', () => {
  const table = new SampleTable();
  const fileBytes = 4 << 20;
  let start = HEADER_BYTES;
  for (let i = 0; start < fileBytes; i++) {
    const bytes = i < 5000 ? 200 : 33;
    table.makeRoom(start, start + bytes, fileBytes);
    table.push(0, 0, start, null, null);
    start += bytes;
  }
  expect(table.stacks.data.length).toBeGreaterThanOrEqual(table.length);
  expect(table.stacks.data.length / table.length).toBeLessThanOrEqual(9 / 8);
});
