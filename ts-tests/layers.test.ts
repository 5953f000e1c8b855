/**
 * The layers of src/ (src/README.md) import only downwards: a module may use
 * its own folder and the layers listed before it, never one after it. So the
 * engine (model, symbols, formats) runs without the frontend, and nothing in
 * the views reaches back into the plugins.
 */
import { readdirSync, readFileSync, statSync } from 'fs';
import { dirname, join, normalize, relative, sep } from 'path';

const SRC = join(__dirname, '..', 'src');

/** Lower first. `node` is the Node-only top of the engine; the frontend starts at tokens. */
const ORDER = [
  ['model'],
  ['symbols'],
  ['formats'],
  ['node', 'tokens', 'handler'],
  ['settings', 'autoload', 'views'],
  ['browser'],
  ['index']
];

function rank(layer: string): number {
  const at = ORDER.findIndex(group => group.includes(layer));
  if (at < 0) {
    throw new Error(`src/${layer} is in no layer of this test: add it to ORDER and to src/README.md`);
  }
  return at;
}

function layerOf(file: string): string {
  const [first] = relative(SRC, file).split(sep);
  return first.replace(/\.ts$/, '');
}

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap(name => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? sources(path) : name.endsWith('.ts') ? [path] : [];
  });
}

function imports(file: string): string[] {
  const text = readFileSync(file, 'utf-8');
  const found = [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.[^']+)'/g)].map(m => m[1]);
  return found.map(spec => normalize(join(dirname(file), spec)));
}

test('no module imports a layer above its own', () => {
  const upward: string[] = [];
  for (const file of sources(SRC)) {
    const from = layerOf(file);
    for (const target of imports(file)) {
      if (!target.startsWith(SRC)) {
        continue; // package.json and the like
      }
      const to = layerOf(target);
      if (to !== from && rank(to) > rank(from)) {
        upward.push(`${relative(SRC, file)} -> ${relative(SRC, target)}`);
      }
    }
  }
  expect(upward).toEqual([]);
});

test('the check sees an upward import', () => {
  // tokens (rank 3) importing views (rank 4) is what the palette's old home did.
  expect(rank('views')).toBeGreaterThan(rank('tokens'));
  expect(rank('model')).toBeLessThan(rank('formats'));
});
