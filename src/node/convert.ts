/**
 * The converter the server (and `vmproftocallgrind`) runs in Node:
 *   node vmprof-convert.js PROFILE [options]
 * Contract: docs/architecture.md, "Converter (Node)". Bundled by
 * `jlpm build:converter` into jupyterlab_vmprof/converter/vmprof-convert.js.
 *
 * Exit 0 on success (warnings on stderr as `warning: …` lines); exit 2 on
 * failure with one JSON line on stderr:
 *   {"error": {"code": "truncated|version|corrupt|too-large|usage|io|internal", "message": …, "offset": n|null}}
 * `node vmprof-convert.js --serve` is a long-lived worker answering such runs on a pipe (serve.ts).
 */

import { readFileSync, writeFileSync } from 'fs';
import { constants as zlibConstants, gunzipSync } from 'zlib';
import { parsePerfMap } from '../formats/perfmap';
import { mergeProfiles } from '../model/merge';
import { IPartFiles, parsePartsManifest } from './parts';
import { CONVERTED_FORMATS, ConvertedFormat, formatInfo } from '../formats/registry';
import { nameNativeFramesWith } from '../formats/graph-json';
import { nativeDisplayName } from '../symbols/demangle';
import { VmprofFormatError, readVmprof } from '../formats/vmprof';
import { JSON_NODE_BYTES } from '../formats/vmprof-budget';
import { diffProfiles } from '../model/diff';
import { DIFF_FORMAT, DIFF_VERSION, diffSide } from '../model/diff-json';
import { IProfile } from '../model/profile';
import { IKernelThreads, IThreadSelection, describeSelection, keepThreads, selectThreads } from '../model/threads';
import { matchFunction } from '../symbols/match-keys';
import { AddressTable } from '../symbols/address-table';
import { parseJitSymbols } from '../symbols/jit-symbols';
import { prepareProfile } from '../symbols/prepare';
import { NativeResolver } from './elf';
import { readSources } from './sources';
import { IErrorFields, serve } from './serve';
import { version } from '../../package.json';

// C++, Rust and Cython names for people in the Graph JSON (the labextension keeps symbols).
nameNativeFramesWith(nativeDisplayName);

const CREATOR = `jupyterlab-vmprof ${version}`;
type Format = ConvertedFormat;

/** Where the symbols of one profile come from. */
interface ISymbolFiles {
  perfMaps: string[];
  jitSymbols: string | null;
  maps: string | null;
}

interface IArgs extends ISymbolFiles {
  profile: string;
  format: Format;
  output: string | null;
  /** --diff: the profile to compare PROFILE with, and its own symbol files. */
  diff: string | null;
  diffSymbols: ISymbolFiles;
  strip: boolean;
  collapseDispatcher: boolean;
  thread: string | null;
  /** --cell-threads: the cell's thread ids (meta.json threads.cell_ids); the others are the kernel's. */
  cellThreads: string[] | null;
  /** --kernel-threads: "all threads" holds the kernel's own threads too. */
  kernelThreads: boolean;
  /** --diff-cell-threads: the same as cellThreads, for OTHER. */
  diffCellThreads: string[] | null;
  lines: boolean;
  /** --parts: PROFILE is a parts manifest (node/parts.ts), the parts merged into one profile. */
  parts: boolean;
}

class CliError extends Error {
  constructor(readonly code: 'usage' | 'io' | 'too-large', message: string) {
    super(message);
  }
}

const USAGE =
  `usage: vmprof-convert PROFILE [--format ${CONVERTED_FORMATS.join('|')}] [-o FILE] ` +
  '[--perf-map FILE]... [--jit-symbols FILE] [--maps FILE] [--no-strip] [--no-collapse-dispatcher] [--thread ID] ' +
  '[--cell-threads ID,ID… [--kernel-threads]] [--lines] ' +
  '[--diff OTHER [--diff-perf-map FILE]... [--diff-jit-symbols FILE] [--diff-maps FILE] [--diff-cell-threads ID,ID…]]\n' +
  '       vmprof-convert --parts MANIFEST [--format …] [-o FILE] [--no-strip] [--no-collapse-dispatcher] [--thread ID]';

export function parseArgs(argv: readonly string[]): IArgs {
  const args: IArgs = {
    profile: '', format: 'json', output: null, perfMaps: [], jitSymbols: null, maps: null,
    diff: null, diffSymbols: { perfMaps: [], jitSymbols: null, maps: null },
    strip: true, collapseDispatcher: true, thread: null, lines: false, parts: false,
    cellThreads: null, kernelThreads: false, diffCellThreads: null
  };
  let formatGiven = false;
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) {
        throw new CliError('usage', `${arg} needs a value; ${USAGE}`);
      }
      return argv[++i];
    };
    switch (arg) {
      case '--format': {
        const f = value();
        if (!(CONVERTED_FORMATS as readonly string[]).includes(f)) {
          throw new CliError('usage', `unknown format "${f}"; ${USAGE}`);
        }
        args.format = f as Format;
        formatGiven = true;
        break;
      }
      case '-o': case '--output': args.output = value(); break;
      case '--perf-map': args.perfMaps.push(value()); break;
      case '--jit-symbols': args.jitSymbols = value(); break;
      case '--maps': args.maps = value(); break;
      case '--no-strip': args.strip = false; break;
      case '--no-collapse-dispatcher': args.collapseDispatcher = false; break;
      case '--thread': args.thread = normalizeThread(value()); break;
      case '--cell-threads': args.cellThreads = threadList(value()); break;
      case '--kernel-threads': args.kernelThreads = true; break;
      case '--diff-cell-threads': args.diffCellThreads = threadList(value()); break;
      case '--lines': args.lines = true; break;
      case '--parts': args.parts = true; break;
      case '--diff': args.diff = value(); break;
      case '--diff-perf-map': args.diffSymbols.perfMaps.push(value()); break;
      case '--diff-jit-symbols': args.diffSymbols.jitSymbols = value(); break;
      case '--diff-maps': args.diffSymbols.maps = value(); break;
      default:
        if (arg.startsWith('-') && arg !== '-') {
          throw new CliError('usage', `unknown option ${arg}; ${USAGE}`);
        }
        positional.push(arg);
    }
  }
  if (positional.length !== 1) {
    throw new CliError('usage', USAGE);
  }
  args.profile = positional[0];
  if (args.diff !== null && formatGiven && args.format !== 'json') {
    throw new CliError('usage', `--diff writes JSON only; drop --format ${args.format}`);
  }
  if (args.parts && (args.diff !== null || args.lines || args.maps !== null || args.jitSymbols !== null || args.perfMaps.length)) {
    throw new CliError('usage', `--parts takes each part's symbol files from its manifest, and no --diff or --lines; ${USAGE}`);
  }
  const diffSymbolsGiven = args.diffSymbols.perfMaps.length > 0 || args.diffSymbols.jitSymbols !== null || args.diffSymbols.maps !== null;
  if (args.diff === null && diffSymbolsGiven) {
    throw new CliError('usage', `--diff-perf-map, --diff-jit-symbols and --diff-maps need --diff; ${USAGE}`);
  }
  return args;
}

/**
 * Thread ids are recorded as decimal strings; accept decimal or 0x-hex, after
 * a process label and '/' in merged profiles (model/merge.ts).
 */
function normalizeThread(text: string): string {
  const slash = text.lastIndexOf('/');
  const [process, id] = slash >= 0 ? [text.slice(0, slash + 1), text.slice(slash + 1)] : ['', text];
  try {
    return process + BigInt(id.trim()).toString();
  } catch {
    throw new CliError('usage', `--thread: not a number: "${text}"`);
  }
}

/** `--cell-threads 140…,140…`: ids separated by commas (none: an empty list). */
function threadList(text: string): string[] {
  return text.split(',').filter(id => id.trim() !== '').map(normalizeThread);
}

/** A gzip-compressed profile inflates to at most this (vmprof's own reader reads such files). */
export const MAX_INFLATED_BYTES = 1 << 30;

/** The profile's bytes, inflated if gzip-compressed. */
function decompressed(bytes: Buffer): Buffer {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) {
    return bytes;
  }
  try {
    // A cut archive (a crashed writer) inflates to what it holds: the reader then keeps
    // every whole sample and says the profile was cut short.
    return gunzipSync(bytes, { maxOutputLength: MAX_INFLATED_BYTES, finishFlush: zlibConstants.Z_SYNC_FLUSH });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || /larger than|too large/i.test(e.message)) {
      throw new CliError('too-large', `the gzip-compressed profile inflates to more than ${MAX_INFLATED_BYTES} bytes, the limit`);
    }
    throw new VmprofFormatError('corrupt', `gzip-compressed profile that cannot be inflated: ${e.message}`, 0);
  }
}

/** Warnings shown at most (on stderr and in the output); the rest are counted. */
export const MAX_WARNINGS = 50;

function boundedWarnings(warnings: string[]): string[] {
  if (warnings.length <= MAX_WARNINGS) {
    return warnings;
  }
  return [...warnings.slice(0, MAX_WARNINGS - 1), `${warnings.length - MAX_WARNINGS + 1} more warnings were not shown`];
}

function readInput(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CliError('io', `cannot read ${path}: ${(err as Error).message}`);
  }
}

export function convert(args: IArgs, warn: (text: string) => void): string {
  const main = args.parts ? loadParts(args) : loadProfile(args.profile, args, args, args.lines);
  const profile = main.profile;
  if (args.thread !== null && !profile.threads.includes(args.thread)) {
    throw new CliError('usage', `no thread ${args.thread} in this profile (threads: ${profile.threads.join(', ') || 'none'})`);
  }
  const warnings = boundedWarnings([...profile.info.warnings, ...main.warnings]);
  // A merged --parts profile's thread ids name their process: the kernel's cell ids do not apply.
  const selection = selectThreads(profile, args.thread, args.parts ? null : args.cellThreads, args.kernelThreads);
  if (args.diff !== null) {
    const other = loadProfile(args.diff, args.diffSymbols, args, false);
    const both = [...warnings, ...other.profile.info.warnings.map(w => `${basename(args.diff!)}: ${w}`), ...other.warnings];
    boundedWarnings(both).forEach(warn);
    // Both sides without the kernel's own threads, unless --kernel-threads (Compare's default).
    const b = selectThreads(other.profile, null, args.diffCellThreads, args.kernelThreads);
    const sides = { a: selection.kernelThreads, b: b.kernelThreads };
    return renderDiff(keepThreads(profile, selection.filter), keepThreads(other.profile, b.filter), args, sides);
  }
  warnings.forEach(warn);
  // Per-line costs need line-level frames: read a lines-mode file a second time for them.
  const lineProfile =
    args.format === 'json' && profile.info.mode.lines && !args.lines && !args.parts
      ? loadProfile(args.profile, args, args, true).profile
      : undefined;
  return render(profile, args, selection, warnings, lineProfile);
}

interface ILoaded {
  profile: IProfile;
  /** Warnings about the symbol files (the profile's own are in its info). */
  warnings: string[];
}

/** Reads, symbolizes and cleans each part of a manifest, and merges them. */
function loadParts(args: IArgs): ILoaded {
  let parts: IPartFiles[];
  try {
    parts = parsePartsManifest(readInput(args.profile).toString('utf-8'));
  } catch (err) {
    throw err instanceof CliError ? err : new CliError('usage', `${args.profile}: ${(err as Error).message}`);
  }
  const warnings: string[] = [];
  const loaded = parts.map(part => {
    const one = loadProfile(part.profile, part, args, false);
    warnings.push(...one.warnings.map(w => `${part.label}: ${w}`));
    return { label: part.label, profile: one.profile };
  });
  return { profile: mergeProfiles(loaded), warnings };
}

/** Reads, symbolizes and cleans one profile. */
function loadProfile(path: string, symbols: ISymbolFiles, args: IArgs, lines: boolean): ILoaded {
  const bytes = decompressed(readInput(path));
  // Graph JSON's tree is pruned to what the views draw: it needs far less memory per node.
  const treeNodeBytes = args.format === 'json' ? JSON_NODE_BYTES : undefined;
  const warnings: string[] = [];
  const resolver = symbols.maps !== null ? new NativeResolver(readInput(symbols.maps).toString('utf-8'), warnings) : null;
  // A comparison matches native code by library: name the library vmprof left out (symbols/match-keys.ts).
  const nativeLibrary = args.diff !== null && resolver ? (address: number) => resolver.libraryOf(address) : undefined;
  const raw = readVmprof(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { lines, treeNodeBytes, nativeLibrary });
  const jit = new AddressTable();
  let trampolines = new Set<string>();
  for (const mapPath of symbols.perfMaps) {
    const map = parsePerfMap(readInput(mapPath).toString('utf-8'));
    jit.add(map.symbols);
    if (map.badLines > 0) {
      warnings.push(`${mapPath}: ${map.badLines} lines are not "START SIZE name" and were skipped`);
    }
  }
  if (symbols.jitSymbols !== null) {
    let parsed;
    try {
      parsed = parseJitSymbols(readInput(symbols.jitSymbols).toString('utf-8'));
    } catch (err) {
      if (err instanceof CliError) {
        throw err;
      }
      throw new CliError('io', `${symbols.jitSymbols}: ${(err as Error).message}`);
    }
    jit.add(parsed.ranges);
    trampolines = parsed.trampolines;
    if (parsed.skipped > 0) {
      warnings.push(`${symbols.jitSymbols}: ${parsed.skipped} entries were not understood and were skipped`);
    }
  }
  const profile = prepareProfile(raw, {
    jit,
    trampolines,
    resolveNative: resolver ? address => resolver.resolve(address) : undefined,
    strip: args.strip,
    collapseDispatcher: args.collapseDispatcher
  });
  return { profile, warnings };
}

function renderDiff(a: IProfile, b: IProfile, args: IArgs, kernel: { a?: IKernelThreads; b?: IKernelThreads }): string {
  // Keys that hold across processes: library + symbol, cells as one file (symbols/match-keys.ts).
  const diff = diffProfiles(a, b, { match: matchFunction });
  return JSON.stringify({
    format: DIFF_FORMAT,
    version: DIFF_VERSION,
    creator: CREATOR,
    a: diffSide(basename(args.profile), diff.samplesA, kernel.a),
    b: diffSide(basename(args.diff!), diff.samplesB, kernel.b),
    // Matched on the symbols as recorded, shown as the Graph JSON shows them (demangled).
    functions: diff.functions.map(f => (f.library !== undefined ? { ...f, name: nativeDisplayName(f.name) } : f)),
    tree: diff.tree
  });
}

function render(profile: IProfile, args: IArgs, selection: IThreadSelection, warnings: string[], lineProfile?: IProfile): string {
  const write = formatInfo(args.format).write!;
  return write(profile, {
    creator: CREATOR,
    name: basename(args.profile),
    thread: selection.filter,
    kernelThreads: selection.kernelThreads,
    // Said in the headers when there is a choice to tell: one thread, or the kernel's threads in or out.
    threads: args.thread !== null || selection.kernelThreads ? describeSelection(selection) : undefined,
    lineProfile,
    warnings,
    addSources: graph => {
      if (graph.lines) {
        graph.sources = readSources(graph);
      }
    }
  });
}

function basename(path: string): string {
  return path.split(/[/\\]/).pop() ?? path;
}

/** The error line's fields for anything a conversion threw. */
export function errorReport(err: unknown): IErrorFields {
  if (err instanceof VmprofFormatError) {
    return { code: err.code, message: err.message, offset: err.offset >= 0 ? err.offset : null };
  }
  if (err instanceof CliError) {
    return { code: err.code, message: err.message, offset: null };
  }
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  // Not the file's fault but ours: never reported as a corrupt profile.
  return { code: 'internal', message: `internal error: ${message}`, offset: null };
}

/** One conversion as `argv` says, its result written to --output (or stdout); throws on failure. */
export function run(argv: readonly string[], warn: (text: string) => void): void {
  const args = parseArgs(argv);
  const text = convert(args, warn);
  if (args.output !== null) {
    try {
      writeFileSync(args.output, text);
    } catch (err) {
      throw new CliError('io', `cannot write ${args.output}: ${(err as Error).message}`);
    }
  } else {
    process.stdout.write(text);
  }
}

/** A conversion for a worker (`--serve`): its stdout is the answers' pipe, so --output is required. */
export function runToFile(argv: readonly string[], warn: (text: string) => void): void {
  if (parseArgs(argv).output === null) {
    throw new CliError('usage', 'a served conversion writes to --output FILE, never to the pipe');
  }
  run(argv, warn);
}

export function main(argv: readonly string[]): number {
  try {
    run(argv, w => process.stderr.write(`warning: ${w.replace(/\n/g, ' ')}\n`));
    return 0;
  } catch (err) {
    process.stderr.write(JSON.stringify({ error: errorReport(err) }) + '\n');
    return 2;
  }
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (argv.length === 1 && argv[0] === '--serve') {
    void serve(process.stdin, process.stdout, runToFile, errorReport);
  } else {
    process.exitCode = main(argv);
  }
}
