/**
 * Issue 6: the default frame-kind colours are one palette (src/views/kinds.ts)
 * everywhere: the settings schema, the settings the widgets start with, the
 * CSS variables a profile output gets from them, the flame graph's boxes and
 * the legend. An empty setting still follows the JupyterLab theme.
 */
import * as fs from 'fs';
import * as path from 'path';

import { sanitize } from '../../src/settings';
import { DEFAULT_VIEW_SETTINGS, KindColorSettings } from '../../src/tokens';
import { buildFlame } from '../../src/views/flame';
import { FALLBACK_KIND_COLORS, FRAME_KINDS, kindColorVariable, resolveKindColors } from '../../src/views/kinds';
import { buildLegend } from '../../src/views/legend';
import { smallGraph } from './fixture';

const schema = JSON.parse(
  fs.readFileSync(path.join(__dirname, '..', '..', 'schema', 'plugin.json'), 'utf8')
);
const kindColors = schema.properties.kindColors;
const palette = Object.fromEntries(FRAME_KINDS.map(k => [k, FALLBACK_KIND_COLORS[k]]));

/**
 * The CSS variables of a profile output with these settings, as
 * ProfileWidget._applySettings sets them (the rest comes from the theme,
 * which this lookup does not have).
 */
function outputVariables(colors: Readonly<KindColorSettings>): (name: string) => string {
  const set = new Map(
    Object.entries(colors)
      .filter(([, color]) => color !== '')
      .map(([kind, color]) => [kindColorVariable(kind as keyof KindColorSettings), color])
  );
  return name => set.get(name) ?? '';
}

describe('frame kind colours', () => {
  it('default to the palette of kinds.ts in the schema, per kind and as a whole', () => {
    expect(kindColors.default).toEqual(palette);
    for (const kind of FRAME_KINDS) {
      expect(kindColors.properties[kind].default).toBe(FALLBACK_KIND_COLORS[kind]);
    }
  });

  it('default to the palette in the settings the widgets start with', () => {
    expect(DEFAULT_VIEW_SETTINGS.kindColors).toEqual(palette);
    expect(sanitize({}).kindColors).toEqual(palette);
    // An invalid value falls back to the palette, not to the theme.
    expect(sanitize({ kindColors: { jit: 'url(x)' } }).kindColors.jit).toBe(FALLBACK_KIND_COLORS.jit);
  });

  it('give five kinds five different colours', () => {
    expect(new Set(Object.values(palette)).size).toBe(FRAME_KINDS.length);
  });

  it('are the same in the legend and in the flame graph boxes by default', () => {
    const graph = smallGraph();
    const colors = resolveKindColors(outputVariables(sanitize({}).kindColors));
    const legend = buildLegend(graph, { colors });
    for (const entry of legend.filter(e => e.kind !== 'none')) {
      expect(entry.color).toBe(FALLBACK_KIND_COLORS[entry.kind as keyof typeof FALLBACK_KIND_COLORS]);
    }
    const view = buildFlame(graph, { maxNodes: 100, minNodeFraction: 0, colors });
    view.treeNodes.forEach((node, i) => {
      const frame = node >= 0 ? graph.tree.frame[node] : -1;
      if (frame >= 0) {
        const kind = graph.frames[frame].kind;
        expect(view.trace.marker.colors[i]).toBe(legend.find(e => e.kind === kind)!.color);
      }
    });
  });

  it('follow a chosen colour, and the theme for an empty one', () => {
    const chosen = sanitize({ kindColors: { python: '#010203', native: '' } }).kindColors;
    expect(chosen.python).toBe('#010203');
    expect(chosen.native).toBe('');
    expect(chosen.jit).toBe(FALLBACK_KIND_COLORS.jit);
    const theme = (name: string) => (name === kindColorVariable('native') ? '#fedcba' : '');
    const lookup = (name: string) => outputVariables(chosen)(name) || theme(name);
    const legend = buildLegend(smallGraph(), { colors: resolveKindColors(lookup) });
    expect(legend.find(e => e.kind === 'python')!.color).toBe('#010203');
    expect(legend.find(e => e.kind === 'native')!.color).toBe('#fedcba');
  });
});
