/**
 * The converter's engine without Node: raw vmprof bytes in, Graph JSON or callgrind out,
 * for timing it in JavaScript engines embedded in Python (bench/node_runtimes.py; the
 * measurements are in docs/architecture.md, "The Node.js runtime"). Native frames stay
 * unnamed here: naming them reads ELF files, which only the Node converter can.
 */
import { formatInfo } from '../src/formats/registry';
import { readVmprof } from '../src/formats/vmprof';
import { prepareProfile } from '../src/symbols/prepare';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function fromBase64(text: string): Uint8Array {
  const values = new Uint8Array(128);
  for (let i = 0; i < ALPHABET.length; i++) {
    values[ALPHABET.charCodeAt(i)] = i;
  }
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let count = 0;
  let at = 0;
  for (let i = 0; i < clean.length; i++) {
    bits = (bits << 6) | values[clean.charCodeAt(i)];
    count += 6;
    if (count >= 8) {
      count -= 8;
      out[at++] = (bits >> count) & 0xff;
    }
  }
  return out;
}

export function convertBase64(base64: string, format: 'json' | 'callgrind'): string {
  const profile = prepareProfile(readVmprof(fromBase64(base64)));
  return formatInfo(format).write!(profile, { creator: 'bench', name: 'bench', thread: null, warnings: [] });
}
