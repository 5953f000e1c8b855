/**
 * What the toolbar and the profile browser say about the kernel's crash guard
 * (meta.json's `guard`): the samples it dropped, or that it was off.
 */
import { guardText, guardTooltip } from '../../src/views/summary';

describe('crash guard text', () => {
  it('counts the dropped samples', () => {
    const guard = { active: true, dropped_samples: 1234 };
    expect(guardText(guard)).toBe('1,234 dropped by the crash guard');
    expect(guardTooltip(guard)).toContain('It dropped 1,234 samples of this profile.');
  });

  it('says nothing when the guard dropped nothing, or where no guard is needed', () => {
    expect(guardText({ active: true, dropped_samples: 0 })).toBe('');
    expect(guardText(undefined)).toBe('');
    expect(guardText(null)).toBe('');
    expect(guardTooltip(undefined)).toBe('');
  });

  it('says when the guard was off, and why', () => {
    const guard = { active: false, dropped_samples: 0, off_reason: 'switched off by JUPYTERLAB_VMPROF_NO_GUARD' };
    expect(guardText(guard)).toBe('no crash guard');
    expect(guardTooltip(guard)).toContain('It was off for this profile (switched off by JUPYTERLAB_VMPROF_NO_GUARD).');
  });
});
