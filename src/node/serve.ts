/**
 * The converter's serve mode, `node vmprof-convert.js --serve`: one long-lived worker of the
 * Jupyter server's pool (jupyterlab_vmprof/server/converter_pool.py), so a conversion does
 * not pay Node's start-up. Contract: docs/architecture.md, "Converter workers".
 *
 * One request per line on stdin, one answer per line on stdout, in order:
 *   {"id": n, "argv": [...]}             the arguments of a one-shot run; --output is required
 *   {"id": n, "ok": true, "warnings": [...]}
 *   {"id": n, "ok": false, "error": {"code", "message", "offset"}}
 * The result goes to --output, never through the pipe. The worker ends when stdin closes.
 */

import { createInterface } from 'readline';
import { Readable, Writable } from 'stream';

export interface IErrorFields {
  code: string;
  message: string;
  offset: number | null;
}

export interface IServeRequest {
  id: number;
  argv: string[];
}

/** Runs one conversion (throws what a one-shot run would report); warnings go to `warn`. */
export type ConvertFn = (argv: readonly string[], warn: (text: string) => void) => void;
/** The error fields for anything a conversion threw. */
export type ReportFn = (err: unknown) => IErrorFields;

/** A request line, or an Error saying what is wrong with it. */
export function parseRequest(line: string): IServeRequest {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error(`a request is one JSON object per line, not ${JSON.stringify(line.slice(0, 80))}`);
  }
  const request = value as Partial<IServeRequest> | null;
  if (request === null || typeof request !== 'object' || !Number.isSafeInteger(request.id)) {
    throw new Error('a request needs an integer "id"');
  }
  const argv = request.argv;
  if (!Array.isArray(argv) || !argv.every(arg => typeof arg === 'string')) {
    throw new Error('a request needs "argv", a list of strings');
  }
  return { id: request.id as number, argv };
}

/** The answer line (without its newline) to one request line. */
export function answer(line: string, convert: ConvertFn, report: ReportFn): string {
  let request: IServeRequest;
  try {
    request = parseRequest(line);
  } catch (err) {
    // Not a request the pool sends: answered with id null, so the pool replaces the worker.
    return JSON.stringify({
      id: null,
      ok: false,
      error: { code: 'usage', message: (err as Error).message, offset: null }
    });
  }
  const warnings: string[] = [];
  try {
    convert(request.argv, text => warnings.push(text.replace(/\n/g, ' ')));
    return JSON.stringify({ id: request.id, ok: true, warnings });
  } catch (err) {
    return JSON.stringify({ id: request.id, ok: false, error: report(err) });
  }
}

/** V8's full garbage collection, when node runs with --expose-gc (node_converter.V8_FLAGS). */
const collectGarbage = (globalThis as { gc?: () => void }).gc;
/**
 * JavaScript heap and buffers over what the last collection left that make a worker collect
 * between requests: a conversion of a few MB leaves more (its file and sample arrays, ~20 MB
 * for 8 MB), one of a small profile less than 2 MB.
 */
const GARBAGE_BYTES = 8 * 1048576;

/** The heap and buffers in use, garbage included. */
function heapAndBuffers(): number {
  const used = process.memoryUsage();
  return used.heapUsed + used.arrayBuffers;
}

/** Answers the requests of `input` on `output` until `input` ends (the pool closed it or died). */
export function serve(input: Readable, output: Writable, convert: ConvertFn, report: ReportFn): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let keptBytes = 0; // heap and buffers after the last collection
  // Nobody reads the answers any more (the server is gone): stop rather than convert for nobody.
  output.on('error', () => lines.close());
  lines.on('line', line => {
    if (line.trim() !== '') {
      output.write(answer(line, convert, report) + '\n');
      // The conversions' memory is garbage now. Left to V8, the heap grew with each one: after six
      // 8 MB conversions a worker peaked at 106 MB, 78 MB when collected after each. A collection
      // takes ~10 ms, as long as converting a small profile: only once there is much to collect.
      if (collectGarbage && heapAndBuffers() - keptBytes > GARBAGE_BYTES) {
        collectGarbage();
        keptBytes = heapAndBuffers();
      }
    }
  });
  return new Promise(resolve => lines.on('close', resolve));
}
