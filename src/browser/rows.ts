/**
 * One row of the profile browser: what a profile's metadata looks like in
 * the list. Every value from the store goes in as text (textContent, title),
 * never as markup: names and cell sources are the user's arbitrary text.
 */
import { baseName, formatCount, formatSeconds } from '../views/format';
import { workersText, workersTooltip } from '../views/processes';
import { guardText, guardTooltip } from '../views/summary';
import type { IProfileMeta } from './profile-list';

/** Height of a row in pixels; the virtual list positions rows by it. */
export const ROW_HEIGHT = 58;

const STATUS_LABELS: Record<string, string> = {
  complete: 'complete',
  failed: 'failed',
  interrupted: 'interrupted',
  running: 'running'
};

/** The parts of a row that change from one profile to the next. */
interface IRowParts {
  name: HTMLElement;
  status: HTMLElement;
  when: HTMLElement;
  cell: HTMLElement;
  notebook: HTMLElement;
  duration: HTMLElement;
  samples: HTMLElement;
}

const parts = new WeakMap<HTMLElement, IRowParts>();

function span(className: string): HTMLElement {
  const node = document.createElement('span');
  node.className = className;
  return node;
}

/** The empty structure of a row, filled by `fillRow`. */
export function createRow(): HTMLElement {
  const row = document.createElement('div');
  const top = span('jp-vmprof-browser-line jp-vmprof-browser-line-top');
  const middle = span('jp-vmprof-browser-line');
  const bottom = span('jp-vmprof-browser-line jp-vmprof-browser-line-details');
  const rowParts: IRowParts = {
    status: span('jp-vmprof-browser-status'),
    name: span('jp-vmprof-browser-name'),
    when: span('jp-vmprof-browser-when'),
    cell: span('jp-vmprof-browser-cell'),
    notebook: span('jp-vmprof-browser-notebook'),
    duration: span('jp-vmprof-browser-duration'),
    samples: span('jp-vmprof-browser-samples')
  };
  top.append(rowParts.status, rowParts.name, rowParts.when);
  middle.append(rowParts.cell);
  bottom.append(rowParts.notebook, rowParts.duration, rowParts.samples);
  row.append(top, middle, bottom);
  parts.set(row, rowParts);
  return row;
}

/** Show `meta` in `row`; `now` is shared by all rows of one redraw. */
export function fillRow(row: HTMLElement, meta: IProfileMeta, now: number): void {
  const p = parts.get(row);
  if (!p) {
    return;
  }
  row.dataset.profileId = meta.id;
  const status = STATUS_LABELS[meta.status] ?? 'unknown';
  p.status.textContent = status;
  p.status.className = `jp-vmprof-browser-status jp-vmprof-browser-status-${status}`;
  p.status.title = meta.error ? `${status}: ${meta.error}` : status;
  p.name.textContent = meta.name || meta.id;
  const run = meta.run?.id ? `\nrun ${meta.run.name || ''} (${meta.run.id})` : '';
  p.name.title = `${meta.name || meta.id}\n${meta.id}${run}`;

  const started = meta.started ? Date.parse(meta.started) : NaN;
  p.when.textContent = Number.isFinite(started) ? relativeTime(started, now) : '';
  p.when.title = Number.isFinite(started) ? absoluteTime(started) : '';

  const firstLine = firstCodeLine(meta.cell);
  p.cell.textContent =
    firstLine || (meta.options?.imported ? '(imported .prof file)' : meta.notebook ? '(empty cell)' : '');
  p.cell.title = meta.cell ?? '';

  p.notebook.textContent = meta.notebook ? baseName(meta.notebook) : 'no notebook';
  p.notebook.title = meta.notebook || 'Not taken in a notebook (imported, or from a script)';
  p.duration.textContent =
    typeof meta.duration_s === 'number' ? formatSeconds(meta.duration_s) : '';
  p.duration.title = 'Measured duration of the profiled run';
  p.samples.textContent = [samplesText(meta), workersText(meta.workers), guardText(meta.guard)]
    .filter(text => text)
    .join(' · ');
  p.samples.title = [samplesTooltip(meta), workersTooltip(meta.workers), guardTooltip(meta.guard)]
    .filter(text => text)
    .join('\n');

  // One sentence for screen readers instead of the pieces read one by one.
  row.setAttribute(
    'aria-label',
    [
      meta.name || meta.id,
      status,
      meta.notebook ? `notebook ${baseName(meta.notebook)}` : '',
      p.when.textContent,
      p.duration.textContent,
      p.samples.textContent
    ]
      .filter(text => text)
      .join(', ')
  );
}

/** The first line of a cell that is not blank and not a magic line. */
/**
 * The samples a profile's views show by default: the cell's threads', as its output's
 * summary counts them (the kernel's own threads left out), or every thread's.
 */
export function samplesText(meta: IProfileMeta): string {
  if (typeof meta.samples !== 'number') {
    return '';
  }
  const kernel = meta.kernel_threads?.samples ?? 0;
  const shown = Math.max(0, meta.samples - kernel);
  return `${formatCount(shown)} sample${shown === 1 ? '' : 's'}`;
}

/** What the row's count leaves out: '' when it counts every thread. */
export function samplesTooltip(meta: IProfileMeta): string {
  const kernel = meta.kernel_threads;
  if (typeof meta.samples !== 'number' || !kernel?.threads) {
    return '';
  }
  const threads = `${kernel.threads} kernel thread${kernel.threads === 1 ? '' : 's'}`;
  return (
    `The cell's threads' samples; ${threads} (heartbeat, IOPub…) had ${formatCount(kernel.samples)} more, ` +
    `left out as in the views (${formatCount(meta.samples)} in the file).`
  );
}

export function firstCodeLine(source: string | null | undefined): string {
  for (const line of (source ?? '').split('\n')) {
    const trimmed = line.trim();
    if (trimmed && !trimmed.startsWith('%%')) {
      return trimmed;
    }
  }
  return '';
}

// Short units leave the sidebar's narrow row more room for the name.
const RELATIVE = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });
const ABSOLUTE = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'medium'
});

/** `5 minutes ago`, `yesterday`... in the user's language. */
export function relativeTime(then: number, now: number): string {
  const seconds = Math.round((then - now) / 1000);
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [
    ['second', 60],
    ['minute', 60],
    ['hour', 24],
    ['day', 7],
    ['week', 4.35],
    ['month', 12],
    ['year', Infinity]
  ];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size) {
      return Math.abs(value) < 10 && unit === 'second'
        ? RELATIVE.format(0, 'second')
        : RELATIVE.format(Math.round(value), unit);
    }
    value /= size;
  }
  return '';
}

/** Local date and time, with the UTC instant for exactness. */
export function absoluteTime(then: number): string {
  return `${ABSOLUTE.format(then)} (${new Date(then).toISOString()})`;
}
