/**
 * The profile browser's pure parts: the list model (fetching, the cheap
 * change probe, filters, local updates) with the REST layer mocked, the row
 * text helpers, and the code sent by "Profile Cell with vmprof".
 */
jest.mock('../../src/handler', () => ({
  requestAPI: jest.fn(),
  requestBlob: jest.fn()
}));

import { requestAPI } from '../../src/handler';
import { IProfileMeta, NO_NOTEBOOK, ProfileListModel } from '../../src/browser/profile-list';
import { isNotebookPanel, profiledSource } from '../../src/browser/profile-cell';
import { firstCodeLine, relativeTime, samplesText, samplesTooltip } from '../../src/browser/rows';

const request = requestAPI as jest.MockedFunction<typeof requestAPI>;

function meta(index: number, extra: Partial<IProfileMeta> = {}): IProfileMeta {
  return {
    id: `20260101T0000${String(index).padStart(2, '0')}-0000000${index % 10}`,
    name: `profile ${index}`,
    status: 'complete',
    notebook: index % 2 ? '/home/user/a.ipynb' : '',
    cell: `x = compute_${index}()`,
    started: '2026-01-01T00:00:00.000Z',
    finished: null,
    duration_s: 1,
    samples: 10,
    ...extra
  };
}

/** A fake store answering `profiles?per_page=&page=` like ProfileStore.list. */
function serve(profiles: IProfileMeta[]): string[] {
  const paths: string[] = [];
  request.mockImplementation(async (path = '') => {
    paths.push(path);
    const query = new URLSearchParams(path.split('?')[1] ?? '');
    const perPage = Number(query.get('per_page') ?? 50);
    const page = Number(query.get('page') ?? 1);
    return {
      profiles: profiles.slice((page - 1) * perPage, page * perPage),
      total: profiles.length,
      page
    } as any;
  });
  return paths;
}

describe('ProfileListModel', () => {
  beforeEach(() => request.mockReset());

  it('fetches every page and keeps the server order', async () => {
    const profiles = Array.from({ length: 1500 }, (_, i) => meta(i));
    const paths = serve(profiles);
    const model = new ProfileListModel();
    let changes = 0;
    model.changed.connect(() => changes++);
    await model.refresh();
    expect(model.all.map(m => m.id)).toEqual(profiles.map(m => m.id));
    expect(paths).toEqual(['profiles?per_page=1000&page=1', 'profiles?per_page=1000&page=2']);
    expect(changes).toBe(1);
  });

  it('probes cheaply and fetches everything only when something changed', async () => {
    const profiles = [meta(1), meta(2)];
    const paths = serve(profiles);
    const model = new ProfileListModel();
    await model.refresh();
    paths.length = 0;
    await model.refreshIfChanged();
    expect(paths).toEqual(['profiles?per_page=25']);

    profiles.unshift(meta(3, { status: 'running' }));
    paths.length = 0;
    await model.refreshIfChanged();
    expect(paths).toEqual(['profiles?per_page=25', 'profiles?per_page=1000&page=1']);
    expect(model.all[0].status).toBe('running');

    profiles[0] = { ...profiles[0], status: 'complete' };
    await model.refreshIfChanged();
    expect(model.all[0].status).toBe('complete');
  });

  it('filters by every word over name, cell, notebook and id, and by notebook', async () => {
    serve([meta(1), meta(2), meta(3, { name: 'Matrix multiply' })]);
    const model = new ProfileListModel();
    await model.refresh();
    model.filterText = 'matrix';
    expect(model.shown.map(m => m.name)).toEqual(['Matrix multiply']);
    model.filterText = 'compute_2';
    expect(model.shown.map(m => m.name)).toEqual(['profile 2']);
    model.filterText = 'profile compute_1';
    expect(model.shown.map(m => m.name)).toEqual(['profile 1']);
    model.filterText = '';
    model.notebookFilter = '/home/user/a.ipynb';
    expect(model.shown.map(m => m.name)).toEqual(['profile 1', 'Matrix multiply']);
    model.notebookFilter = NO_NOTEBOOK;
    expect(model.shown.map(m => m.name)).toEqual(['profile 2']);
    expect(model.notebooks).toEqual(['/home/user/a.ipynb']);
  });

  it('finds every profile of a headless run by its run id or name', async () => {
    const run = { id: '20260101T000000-abcdef12', name: 'analysis 2026-01-01 00:00 UTC' };
    serve([meta(1, { run }), meta(2), meta(3, { run: { ...run, repeat: 2 } })]);
    const model = new ProfileListModel();
    await model.refresh();
    model.filterText = run.id;
    expect(model.shown.map(m => m.name)).toEqual(['profile 1', 'profile 3']);
    model.filterText = 'analysis 2026-01-01';
    expect(model.shown.map(m => m.name)).toEqual(['profile 1', 'profile 3']);
  });

  it('applies a rename and a delete locally, and reports errors', async () => {
    serve([meta(1), meta(2)]);
    const model = new ProfileListModel();
    await model.refresh();
    const id = model.all[0].id;
    request.mockResolvedValueOnce({ ...model.all[0], name: 'renamed' } as any);
    await model.rename(id, 'renamed');
    expect(request).toHaveBeenLastCalledWith(`profiles/${id}`, {
      method: 'PATCH',
      body: JSON.stringify({ name: 'renamed' })
    });
    expect(model.find(id)?.name).toBe('renamed');
    request.mockResolvedValueOnce(undefined as any);
    await model.remove(id);
    expect(model.find(id)).toBeUndefined();

    const errors: string[] = [];
    model.errorChanged.connect((_, message) => errors.push(message));
    request.mockRejectedValueOnce(new Error('server says no'));
    await model.refreshIfChanged();
    expect(errors).toEqual(['Cannot list the profiles: server says no']);
  });
});

describe('row text', () => {
  it('shows the first line of code, not blank lines or the magic line', () => {
    expect(firstCodeLine('%%vmprof --name x\n\n  total = f(1)\nmore')).toBe('total = f(1)');
    expect(firstCodeLine('')).toBe('');
    expect(firstCodeLine(undefined)).toBe('');
  });

  it('says how long ago in words', () => {
    const now = Date.parse('2026-01-01T12:00:00Z');
    expect(relativeTime(now - 3_000, now)).toMatch(/now/);
    expect(relativeTime(now - 5 * 60_000, now)).toMatch(/5 min/);
    expect(relativeTime(now - 3 * 3600_000, now)).toMatch(/3 h/);
    expect(relativeTime(now - 2 * 86400_000, now)).toMatch(/2 days|2 d/);
  });
});

describe('Profile Cell with vmprof', () => {
  it('puts the magic in front of the source only once', () => {
    expect(profiledSource('f()')).toBe('%%vmprof\nf()');
    expect(profiledSource('%%vmprof --lines\nf()')).toBe('%%vmprof --lines\nf()');
  });

  it('recognises a notebook panel by its members', () => {
    expect(isNotebookPanel(null)).toBe(false);
    expect(isNotebookPanel({ sessionContext: {}, content: { activeCell: null } } as any)).toBe(true);
    expect(isNotebookPanel({ content: {} } as any)).toBe(false);
  });
});

describe('a row counts the samples its views show', () => {
  it("counts the cell's threads and says what the kernel's threads add", () => {
    const row = meta(1, { samples: 1169, kernel_threads: { threads: 9, samples: 103 } });
    expect(samplesText(row)).toBe('1,066 samples');
    expect(samplesTooltip(row)).toBe(
      "The cell's threads' samples; 9 kernel threads (heartbeat, IOPub…) had 103 more, " +
        'left out as in the views (1,169 in the file).'
    );
  });

  it('counts every thread when the kernel recorded none of its own, and nothing when not counted', () => {
    expect(samplesText(meta(2, { samples: 1 }))).toBe('1 sample');
    expect(samplesTooltip(meta(2, { samples: 1 }))).toBe('');
    expect(samplesText(meta(3, { samples: null }))).toBe('');
  });
});
