/**
 * Writes the format registry (src/formats/registry.ts) as JSON for the Python
 * side: `node emit-formats.js OUTPUT`. Run by `jlpm build:formats`.
 */
import { writeFileSync } from 'fs';
import { formatsForPython } from '../formats/registry';

const output = process.argv[2];
if (!output) {
  process.stderr.write('usage: emit-formats OUTPUT\n');
  process.exit(2);
}
writeFileSync(output, JSON.stringify(formatsForPython(), null, 2) + '\n');
