/**
 * The format registry (src/formats/registry.ts) is the one list of formats:
 * the settings schema, the converter's --format, the Python side's
 * formats.json and the export menu's names all follow it.
 */
import { execFileSync, spawnSync } from 'child_process';
import { mkdtempSync, readFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { CONVERTED_FORMATS, EXPORT_FORMATS, FORMATS, downloadName, formatsForPython } from '../../src/formats/registry';
import { exportFileName } from '../../src/views/export';
import { PROFILES, ROOT, runPackageScript } from './helpers';

const schema = JSON.parse(readFileSync(join(ROOT, 'schema/plugin.json'), 'utf-8'));

describe('format registry', () => {
  test('ids are unique and every converted format has a writer', () => {
    const ids = FORMATS.map(f => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(CONVERTED_FORMATS).toEqual(FORMATS.filter(f => f.write !== null).map(f => f.id));
    expect(CONVERTED_FORMATS).toContain('json');
    expect(EXPORT_FORMATS).toEqual(['callgrind', 'collapsed', 'speedscope', 'raw']);
  });

  test("the settings schema's export formats are the registry's", () => {
    const setting = schema.properties.defaultExportFormat;
    expect(setting.enum).toEqual([...EXPORT_FORMATS]);
    expect(EXPORT_FORMATS).toContain(setting.default);
  });

  test('download names: KCachegrind finds callgrind.out.*, the thread goes before the suffix', () => {
    expect(downloadName('callgrind', '20240101T000000-abcdef01')).toBe('callgrind.out.20240101T000000-abcdef01');
    expect(exportFileName('X', 'collapsed', 'MainThread')).toBe('X.thread-MainThread.collapsed.txt');
    expect(exportFileName('X', 'raw', 'MainThread')).toBe('X.prof');
  });

  test('the build writes the same list for Python, without the writers', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'formats-')), 'formats.json');
    runPackageScript('build:formats');
    execFileSync(process.execPath, [join(ROOT, 'lib-node/emit-formats.js'), out]);
    const written = JSON.parse(readFileSync(out, 'utf-8'));
    expect(written).toEqual(JSON.parse(JSON.stringify(formatsForPython())));
    expect(written.formats.map((f: { id: string; converted: boolean }) => [f.id, f.converted])).toEqual(
      FORMATS.map(f => [f.id, f.write !== null])
    );
  });

  test("the converter takes exactly the registry's converted formats", () => {
    runPackageScript('build:converter');
    const bundle = join(ROOT, 'jupyterlab_vmprof/converter/vmprof-convert.js');
    const profile = join(PROFILES, 'vmprof-0.6.0/mixed.prof');
    for (const id of CONVERTED_FORMATS) {
      const r = spawnSync(process.execPath, [bundle, profile, '--format', id], { encoding: 'utf-8', maxBuffer: 1 << 28 });
      expect({ id, status: r.status }).toEqual({ id, status: 0 });
      expect(r.stdout.length).toBeGreaterThan(100);
    }
    const bad = spawnSync(process.execPath, [bundle, profile, '--format', 'raw'], { encoding: 'utf-8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain(`--format ${CONVERTED_FORMATS.join('|')}`);
  });
});
