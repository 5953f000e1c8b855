/**
 * The memory bound of reading a vmprof file and converting it.
 *
 * Each part of a profile costs far more in memory than in the file (where a
 * stack entry is 8 bytes): measured end to end with bench/extreme_files.py,
 * about 600 bytes per call-tree node, 3 KB per function (callgrind), 800
 * bytes per thread, 160 bytes per Python name (its text stays in the file) and
 * 70 per sample (the reader's arrays and the writers' passes: 250,000 samples
 * of one stack took 68 each beyond the file and Node's own cost), on top of
 * the file's own bytes, which stay in memory. A reading whose estimate passes
 * 4 × the file size, or 32 MB for files under 8 MB, is stopped with
 * `too-large` naming the counts and the limit, before it takes that memory.
 * Why a floor that high: a small native-mode profile names its C functions
 * from the libraries' symbol tables, not from the file, so its estimate is
 * not tied to its size. Example: a 180 kB numpy cell of 207 samples with 844
 * native functions and 2,433 call-tree nodes is estimated at 4.1 MB for
 * callgrind (23 × its size) and converts in ~13 MB over Node's own cost; a
 * 4 MB floor refused it. What this
 * bounds is the peak RSS over that of converting a small profile: Node's own
 * fixed cost is not the file's. Example: 16 distinct stacks 65,536 deep (an
 * 8 MB file) would make a million nodes (~600 MB): refused after 65,536
 * (callgrind) or 131,072 (Graph JSON).
 *
 * The cost per node depends on what is written: 600 bytes is callgrind's on
 * deep distinct stacks; Graph JSON, whose tree is pruned to what the views
 * draw, measured 105–150 bytes per node (bench/stack_shapes.py), so the
 * converter asks for it with `nodeBytes` (JSON_NODE_BYTES) and a profile of
 * 300,000 distinct 20-deep stacks is drawn rather than refused.
 */

import { VmprofFormatError } from './vmprof-bytes';

const NODE_BYTES = 600;
/** Graph JSON's cost per node, with room above the 150 bytes measured. */
export const JSON_NODE_BYTES = 200;
const FRAME_BYTES = 3000;
const THREAD_BYTES = 800;
const NAME_BYTES = 160;
const SAMPLE_BYTES = 70;
const MEMORY_FACTOR = 4;
const MEMORY_FLOOR_BYTES = 32 * 1048576;

export interface IBudgetCounts {
  samples: number;
  names: number;
  threads: number;
  nodes: number;
  functions: number;
  /** Bytes per call-tree node of the output to be written (default: callgrind's). */
  nodeBytes?: number;
}

/** Throws `too-large` if what has been read or built so far would need too much memory. */
export function checkMemoryBudget(fileBytes: number, c: IBudgetCounts): void {
  const need =
    fileBytes + // the file's own bytes stay in memory while it is read
    c.samples * SAMPLE_BYTES + c.names * NAME_BYTES + c.threads * THREAD_BYTES + c.nodes * (c.nodeBytes ?? NODE_BYTES) +
    c.functions * FRAME_BYTES;
  const limit = Math.max(MEMORY_FACTOR * fileBytes, MEMORY_FLOOR_BYTES);
  if (need <= limit) {
    return;
  }
  const mb = (x: number) => `${Math.ceil(x / 1048576)} MB`;
  throw new VmprofFormatError(
    'too-large',
    `the profile would need about ${mb(need)} of memory (${c.nodes} call-tree nodes, ${c.functions} functions, ` +
      `${c.threads} threads, ${c.samples} samples and ${c.names} names so far), more than the limit of ` +
      `${MEMORY_FACTOR} × its size or ${mb(MEMORY_FLOOR_BYTES)}, whichever is larger (${mb(limit)})`,
    -1
  );
}
