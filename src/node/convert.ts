/**
 * The converter the server (and `vmproftocallgrind`) runs in Node:
 *   node vmprof-convert.js PROFILE [options]
 * Contract: docs/architecture.md, "Converter (Node)". Bundled by
 * `npm run build:converter` into jupyterlab_vmprof/converter/vmprof-convert.js.
 *
 * Exit 0 on success (warnings on stderr as `warning: …` lines); exit 2 on
 * failure with one JSON line on stderr:
 *   {"error": {"code": "truncated|version|corrupt|usage|io", "message": …, "offset": n|null}}
 */

import { readFileSync, writeFileSync } from 'fs';
import { toCallgrind } from '../formats/callgrind';
import { toCollapsed } from '../formats/collapsed';
import { toGraphJSON } from '../formats/graph-json';
import { parsePerfMap } from '../formats/perfmap';
import { toSpeedscope } from '../formats/speedscope';
import { VmprofFormatError, readVmprof } from '../formats/vmprof';
import { IProfile } from '../model/profile';
import { AddressTable } from '../symbols/address-table';
import { parseJitSymbols } from '../symbols/jit-symbols';
import { prepareProfile } from '../symbols/prepare';
import { NativeResolver } from './elf';
import { version } from '../../package.json';

const CREATOR = `jupyterlab-vmprof ${version}`;
const FORMATS = ['json', 'callgrind', 'collapsed', 'speedscope'] as const;
type Format = (typeof FORMATS)[number];

interface IArgs {
  profile: string;
  format: Format;
  output: string | null;
  perfMaps: string[];
  jitSymbols: string | null;
  maps: string | null;
  strip: boolean;
  keepDispatcher: boolean;
  thread: string | null;
  lines: boolean;
}

class CliError extends Error {
  constructor(readonly code: 'usage' | 'io', message: string) {
    super(message);
  }
}

const USAGE =
  'usage: vmprof-convert PROFILE [--format json|callgrind|collapsed|speedscope] [-o FILE] ' +
  '[--perf-map FILE]... [--jit-symbols FILE] [--maps FILE] [--no-strip] [--keep-dispatcher] [--thread ID] [--lines]';

export function parseArgs(argv: readonly string[]): IArgs {
  const args: IArgs = {
    profile: '', format: 'json', output: null, perfMaps: [], jitSymbols: null, maps: null,
    strip: true, keepDispatcher: false, thread: null, lines: false
  };
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
        if (!(FORMATS as readonly string[]).includes(f)) {
          throw new CliError('usage', `unknown format "${f}"; ${USAGE}`);
        }
        args.format = f as Format;
        break;
      }
      case '-o': case '--output': args.output = value(); break;
      case '--perf-map': args.perfMaps.push(value()); break;
      case '--jit-symbols': args.jitSymbols = value(); break;
      case '--maps': args.maps = value(); break;
      case '--no-strip': args.strip = false; break;
      case '--keep-dispatcher': args.keepDispatcher = true; break;
      case '--thread': args.thread = normalizeThread(value()); break;
      case '--lines': args.lines = true; break;
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
  return args;
}

/** Thread ids are recorded as decimal strings; accept decimal or 0x-hex. */
function normalizeThread(text: string): string {
  try {
    return BigInt(text.trim()).toString();
  } catch {
    throw new CliError('usage', `--thread: not a number: "${text}"`);
  }
}

function readInput(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CliError('io', `cannot read ${path}: ${(err as Error).message}`);
  }
}

export function convert(args: IArgs, warn: (text: string) => void): string {
  const bytes = readInput(args.profile);
  const raw = readVmprof(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), { lines: args.lines });
  const jit = new AddressTable();
  let trampolines = new Set<string>();
  const extraWarnings: string[] = [];
  for (const path of args.perfMaps) {
    const map = parsePerfMap(readInput(path).toString('utf-8'));
    jit.add(map.symbols);
    if (map.badLines > 0) {
      extraWarnings.push(`${path}: ${map.badLines} lines are not "START SIZE name" and were skipped`);
    }
  }
  if (args.jitSymbols !== null) {
    let parsed;
    try {
      parsed = parseJitSymbols(readInput(args.jitSymbols).toString('utf-8'));
    } catch (err) {
      if (err instanceof CliError) {
        throw err;
      }
      throw new CliError('io', `${args.jitSymbols}: ${(err as Error).message}`);
    }
    jit.add(parsed.ranges);
    trampolines = parsed.trampolines;
    if (parsed.skipped > 0) {
      extraWarnings.push(`${args.jitSymbols}: ${parsed.skipped} entries were not understood and were skipped`);
    }
  }
  const resolver = args.maps !== null ? new NativeResolver(readInput(args.maps).toString('utf-8'), extraWarnings) : null;
  const profile = prepareProfile(raw, {
    jit,
    trampolines,
    resolveNative: resolver ? address => resolver.resolve(address) : undefined,
    strip: args.strip,
    collapseDispatcher: !args.keepDispatcher
  });
  if (args.thread !== null && !profile.threads.includes(args.thread)) {
    throw new CliError('usage', `no thread ${args.thread} in this profile (threads: ${profile.threads.join(', ') || 'none'})`);
  }
  const warnings = [...profile.info.warnings, ...extraWarnings];
  warnings.forEach(warn);
  return render(profile, args, warnings);
}

function render(profile: IProfile, args: IArgs, warnings: string[]): string {
  switch (args.format) {
    case 'callgrind':
      return toCallgrind(profile, { creator: CREATOR, thread: args.thread });
    case 'collapsed':
      return toCollapsed(profile, args.thread);
    case 'speedscope':
      return JSON.stringify(toSpeedscope(profile, { name: basename(args.profile), exporter: CREATOR, thread: args.thread }));
    default: {
      const graph = toGraphJSON(profile, { creator: CREATOR, thread: args.thread });
      graph.profile.warnings = warnings;
      return JSON.stringify(graph);
    }
  }
}

function basename(path: string): string {
  return path.split(/[/\\]/).pop() ?? path;
}

function errorLine(code: string, message: string, offset: number | null): string {
  return JSON.stringify({ error: { code, message, offset } });
}

export function main(argv: readonly string[]): number {
  try {
    const args = parseArgs(argv);
    const text = convert(args, w => process.stderr.write(`warning: ${w.replace(/\n/g, ' ')}\n`));
    if (args.output !== null) {
      try {
        writeFileSync(args.output, text);
      } catch (err) {
        throw new CliError('io', `cannot write ${args.output}: ${(err as Error).message}`);
      }
    } else {
      process.stdout.write(text);
    }
    return 0;
  } catch (err) {
    if (err instanceof VmprofFormatError) {
      process.stderr.write(errorLine(err.code, err.message, err.offset) + '\n');
    } else if (err instanceof CliError) {
      process.stderr.write(errorLine(err.code, err.message, null) + '\n');
    } else {
      const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
      process.stderr.write(errorLine('corrupt', `internal error: ${message}`, null) + '\n');
    }
    return 2;
  }
}

if (require.main === module) {
  process.exitCode = main(process.argv.slice(2));
}
