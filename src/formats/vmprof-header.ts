/**
 * The static header of a vmprof file (word size, address size, period), and
 * small helpers shared by the record reader.
 *
 * Format: https://github.com/vmprof/vmprof-python/blob/master/docs/format.rst
 * (header words `[0, 3, 0, period_usec, win64]`; docs/architecture.md has our notes).
 */

import { ByteCursor, VmprofFormatError } from './vmprof-bytes';
import {
  IVmprofRecords, MARKER_META, MARKER_NATIVE_SYMBOLS, MARKER_STACKTRACE, MARKER_TIME_N_ZONE, MARKER_TRAILER,
  MARKER_VIRTUAL_IP, VERSION_MEMORY, VERSION_MODE_AWARE, VERSION_SAMPLE_TIME
} from './vmprof-layout';

/** Reads the five header words; returns the sampling period in µs and sets the cursor's sizes. */
export function readStaticHeader(c: ByteCursor): number {
  const b = c.bytes;
  if (b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b) {
    throw new VmprofFormatError('version', 'gzip-compressed profile: decompress it first', 0);
  }
  if (b.length < 16) {
    throw new VmprofFormatError('truncated', `file too short for a vmprof header (${b.length} bytes)`, b.length);
  }
  // Header words are [0, 3, 0, period, win64]; where the 3 sits gives the word size.
  if (b[4] === 3 && b[0] === 0) {
    c.setSizes(4, 4);
  } else if (b[7] === 3 || b[15] === 3) {
    throw new VmprofFormatError('version', 'big-endian profiles are not supported', 0);
  } else if (b[8] === 3 && b[0] === 0) {
    c.setSizes(8, 8);
  } else {
    throw new VmprofFormatError('corrupt', 'not a vmprof profile (unknown header)', 0);
  }
  c.need(5 * c.wordSize, 'header');
  const hdr = [c.word(), c.word(), c.word(), c.word(), c.word()];
  if (hdr[0] !== 0 || hdr[1] !== 3 || hdr[2] !== 0 || (hdr[4] !== 0 && hdr[4] !== 1)) {
    throw new VmprofFormatError('corrupt', 'not a vmprof profile (bad header words)', 0);
  }
  if (c.wordSize === 4 && hdr[4] === 1) {
    c.setSizes(4, 8); // Windows 64-bit: long is 4 bytes, pointers 8
  }
  if (hdr[3] <= 0) {
    throw new VmprofFormatError('corrupt', `bad sampling period ${hdr[3]} µs`, 3 * c.wordSize);
  }
  return hdr[3];
}

/**
 * The header record after its marker: version (big-endian u16), mode flags
 * (version 4 on), interpreter name. `legacy`: a pre-0.4 0x04 record, the
 * interpreter name only (version 0, so no thread ids).
 */
export function readHeaderRecord(c: ByteCursor, out: IVmprofRecords, start: number, legacy: boolean): void {
  if (!legacy) {
    c.need(2, 'header');
    const version = (c.bytes[c.pos] << 8) | c.bytes[c.pos + 1];
    c.pos += 2;
    if (version > VERSION_SAMPLE_TIME) {
      throw new VmprofFormatError('version', `profile format version ${version} is newer than supported (${VERSION_SAMPLE_TIME})`, start + 1);
    }
    const mode = out.mode;
    if (version >= VERSION_MODE_AWARE) {
      c.need(1, 'header');
      const flags = c.bytes[c.pos++];
      mode.memory = (flags & 0x01) !== 0;
      mode.lines = (flags & 0x02) !== 0;
      mode.native = (flags & 0x04) !== 0;
      mode.rpython = (flags & 0x08) !== 0;
      mode.realTime = (flags & 0x10) !== 0;
    } else {
      mode.memory = version === VERSION_MEMORY;
    }
    out.version = version;
  }
  c.need(1, 'header');
  const len = c.bytes[c.pos++];
  out.interpreter = c.utf8(len);
  if (out.interpreter === 'pypy') {
    out.mode.rpython = true;
  }
}

export function allZero(bytes: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    if (bytes[i] !== 0) {
      return false;
    }
  }
  return true;
}

export function recordName(marker: number): string {
  switch (marker) {
    case MARKER_STACKTRACE: return 'stack sample';
    case MARKER_VIRTUAL_IP: return 'Python name';
    case MARKER_NATIVE_SYMBOLS: return 'native symbol';
    case MARKER_META: return 'meta';
    case MARKER_TIME_N_ZONE: return 'start time';
    case MARKER_TRAILER: return 'trailer';
    default: return `0x${marker.toString(16)}`;
  }
}
