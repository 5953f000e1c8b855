import {
  escapePlotlyText,
  formatCount,
  formatSeconds,
  roundedPercents
} from '../../src/views/format';
import { sanitize, VmprofSettings } from '../../src/settings';

describe('format', () => {
  it('formats counts and seconds', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(12)).toBe('12');
    expect(formatSeconds(0.0042)).toBe('4.20 ms');
    expect(formatSeconds(1.5)).toBe('1.50 s');
    expect(formatSeconds(125)).toBe('2 min 5 s');
    expect(formatSeconds(0)).toBe('0 s');
  });

  it('escapes plotly markup', () => {
    expect(escapePlotlyText('<br>&amp;')).toBe('&lt;br&gt;&amp;amp;');
  });

  it('rounds percentages so that they add up to 100', () => {
    for (const values of [[1, 1, 1], [1, 2, 3, 4, 5, 6, 7], [999, 1], [1, 1, 1, 1, 1, 1]]) {
      const total = values.reduce((a, b) => a + b, 0);
      const rounded = roundedPercents(values, total);
      expect(Math.round(rounded.reduce((a, b) => a + b, 0) * 10)).toBe(1000);
      rounded.forEach((r, i) =>
        expect(Math.abs(r - (values[i] / total) * 100)).toBeLessThan(0.1 + 1e-9)
      );
    }
  });
});

describe('settings', () => {
  it('falls back to defaults and clamps', () => {
    expect(sanitize({})).toEqual({
      defaultView: 'flame',
      minNodeFraction: 0.001,
      maxNodes: 1500,
      maxTableRows: 200,
      kindColors: { python: '#4c8be2', native: '#e0883a', jit: '#3fa96b', interpreter: '#9e9e9e', unknown: '#b39ddb' },
      defaultExportFormat: 'callgrind'
    });
    expect(sanitize({ defaultView: 'table', maxNodes: 1e9, minNodeFraction: -1 })).toMatchObject({
      defaultView: 'table',
      maxNodes: 5000,
      minNodeFraction: 0
    });
    expect(sanitize({ defaultView: '<x>', maxNodes: 'many' })).toMatchObject({
      defaultView: 'flame',
      maxNodes: 1500
    });
  });
});

describe('settings of issue 6', () => {
  it('accepts every view and export format, and only plain colours', () => {
    expect(sanitize({ defaultView: 'timeline', defaultExportFormat: 'speedscope' })).toMatchObject({
      defaultView: 'timeline',
      defaultExportFormat: 'speedscope'
    });
    expect(sanitize({ defaultExportFormat: 'pdf' }).defaultExportFormat).toBe('callgrind');
    const colors = sanitize({
      kindColors: { python: '#123456', native: 'rgb(1, 2, 3)', jit: 'url(x)', interpreter: 'red; x: y', unknown: 7 }
    }).kindColors;
    // Invalid ones fall back to the default palette (ts-tests/views/kinds.test.ts).
    expect(colors).toEqual({ python: '#123456', native: 'rgb(1, 2, 3)', jit: '#3fa96b', interpreter: '#9e9e9e', unknown: '#b39ddb' });
  });

  it('signals a colour change', () => {
    const settings = new VmprofSettings();
    let changes = 0;
    settings.changed.connect(() => changes++);
    settings.update({ kindColors: { python: '#000' } });
    settings.update({ kindColors: { python: '#000' } });
    expect(changes).toBe(1);
    expect(settings.current.kindColors.python).toBe('#000');
  });
});

describe('VmprofSettings', () => {
  it('signals only real changes, with sanitized values', () => {
    const settings = new VmprofSettings();
    const seen: number[] = [];
    settings.changed.connect((_, value) => seen.push(value.maxNodes));
    settings.update({ maxNodes: 1500 }); // the default: no change
    settings.update({ maxNodes: 300 });
    settings.update({ maxNodes: 300, defaultView: 'nonsense' });
    settings.update({ maxNodes: 10 }); // clamped to 50
    expect(seen).toEqual([300, 50]);
    expect(settings.current.maxNodes).toBe(50);
  });
});
