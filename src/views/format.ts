/**
 * Number and text formatting shared by the trace builders and widgets.
 * Pure: no DOM, no plotly.
 */

/** `1234567` → `1,234,567`, the same in every locale so tests are stable. */
export function formatCount(n: number): string {
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A percentage already in [0, 100], one decimal. */
export function formatPercent(percent: number): string {
  return `${percent.toFixed(1)}%`;
}

/** Seconds with a unit suited to their size (`12.3 ms`, `1.23 s`, `2 min 5 s`). */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) {
    return '?';
  }
  if (seconds === 0) {
    return '0 s';
  }
  if (seconds < 1e-3) {
    return `${(seconds * 1e6).toPrecision(3)} µs`;
  }
  if (seconds < 1) {
    return `${(seconds * 1e3).toPrecision(3)} ms`;
  }
  if (seconds < 100) {
    return `${seconds.toPrecision(3)} s`;
  }
  if (seconds < 3600) {
    const minutes = Math.floor(seconds / 60);
    return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
  }
  return `${(seconds / 3600).toFixed(1)} h`;
}

/**
 * Estimated time of `samples` from the measured seconds per sample, or ''
 * when the profile measured no time (never from the requested period).
 */
export function formatEstimatedTime(
  samples: number,
  secondsPerSample: number | null
): string {
  if (secondsPerSample === null || !Number.isFinite(secondsPerSample)) {
    return '';
  }
  return `≈ ${formatSeconds(samples * secondsPerSample)}`;
}

/**
 * Escape text for plotly labels and hover text. plotly reads a small HTML
 * subset (`<b>`, `<br>`, `<a href>`...) in those strings and decodes
 * entities, so a function named `<b>x</b>` would otherwise render bold (or
 * worse, as a link): escaping makes plotly show exactly these characters.
 */
export function escapePlotlyText(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** `file:line`, `file` when the line is unknown, '' when both are. */
export function formatLocation(file: string, line: number): string {
  if (!file) {
    return '';
  }
  return line > 0 ? `${file}:${line}` : file;
}

/** The last path component, for narrow columns (the full path goes in a tooltip). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/**
 * Percentages of `values` over `total`, rounded to `decimals` so that the
 * rounded numbers add up to exactly 100 when the values add up to the total
 * (largest remainder method): the table must never show 99.9% or 100.1%.
 */
export function roundedPercents(
  values: readonly number[],
  total: number,
  decimals = 1
): number[] {
  if (total <= 0) {
    return values.map(() => 0);
  }
  const scale = 10 ** decimals;
  const exact = values.map(v => (v / total) * 100 * scale);
  const floors = exact.map(Math.floor);
  const sum = values.reduce((a, b) => a + b, 0);
  // Only distribute the rounding leftovers when the parts make the whole;
  // otherwise keep honest per-row rounding.
  if (sum !== total) {
    return exact.map(x => Math.round(x) / scale);
  }
  let missing = Math.round(100 * scale) - floors.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => ({ i, remainder: x - floors[i] }))
    .sort((a, b) => b.remainder - a.remainder || a.i - b.i);
  for (const { i } of order) {
    if (missing <= 0) {
      break;
    }
    floors[i] += 1;
    missing -= 1;
  }
  return floors.map(x => x / scale);
}
