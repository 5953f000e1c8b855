/**
 * The parts manifest of `vmprof-convert --parts MANIFEST`: several processes'
 * profiles (the kernel and the Dask workers of a `%%vmprof --workers` cell)
 * converted as one, each with its own symbol files. Written by the server
 * (server/conversions.py):
 *
 *   {"parts": [{"label": "worker 0 (tcp://10.0.0.5:40123, host-a)",
 *               "profile": "…/workers/0/profile.prof",
 *               "maps": "…/workers/0/maps.txt" | null,
 *               "jitSymbols": "…/workers/0/jit-symbols.json" | null,
 *               "perfMaps": ["…"]}]}
 */

export interface IPartFiles {
  label: string;
  profile: string;
  maps: string | null;
  jitSymbols: string | null;
  perfMaps: string[];
}

/** The manifest's parts, or an Error saying what is wrong with it. */
export function parsePartsManifest(text: string): IPartFiles[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new Error(`not JSON: ${(err as Error).message}`);
  }
  const parts = (value as { parts?: unknown })?.parts;
  if (!Array.isArray(parts) || parts.length === 0) {
    throw new Error('expected {"parts": [...]} with at least one part');
  }
  return parts.map((part, index) => {
    const p = part as Partial<IPartFiles>;
    const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
    const label = text(p.label);
    const profile = text(p.profile);
    if (label === null || profile === null || label.includes('/')) {
      throw new Error(`part ${index}: needs a "label" without "/" and a "profile"`);
    }
    const perfMaps = Array.isArray(p.perfMaps) ? p.perfMaps.filter((m): m is string => typeof m === 'string') : [];
    return { label, profile, maps: text(p.maps), jitSymbols: text(p.jitSymbols), perfMaps };
  });
}
