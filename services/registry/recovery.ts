/**
 * Which version to serve at start when the registry may be damaged. The stored pointer
 * names the operator's choice; when it is missing, damaged, or names a version that no
 * longer verifies, the pointer history (newest first) says what the operator chose
 * before, so a rollback is not undone by a lost file; only then the newest complete
 * version. Every candidate is loaded with its checksums checked; the first that verifies
 * is served, and every damaged document met on the way is reported.
 */
import type { RegistryFaultKind } from '../contract.ts';
import {
  ChecksumError,
  CorruptFileError,
  VersionNotFoundError,
  type LoadedVersion,
  type ModelStore,
  type Pointer,
} from './model-store.ts';

export interface Found {
  kind: RegistryFaultKind;
  detail: string;
}

export interface Recovery {
  /** The version to serve and the pointer to serve it under (undefined: nothing verifies). */
  served?: { pointer: Pointer; loaded: LoadedVersion };
  /** True when the stored pointer must be re-written to name the served version. */
  rewrite: boolean;
  /** True when a version was saved but none was ever promoted (a crash before the first pointer). */
  neverPromoted: boolean;
  found: Found[];
}

interface Candidate {
  version: number;
  step: number;
  from: 'pointer' | 'history' | 'newest';
}

type Store = Pick<ModelStore, 'getPromoted' | 'getPointerHistory' | 'listVersions' | 'loadVersion'>;

/** True for the errors a damaged version gives (as opposed to an unreachable store). */
export function isDamage(err: unknown): boolean {
  return (
    err instanceof ChecksumError || err instanceof CorruptFileError || err instanceof VersionNotFoundError
  );
}

export async function recoverServed(store: Store, name: string): Promise<Recovery> {
  const found: Found[] = [];
  let pointer: Pointer | undefined;
  try {
    pointer = await store.getPromoted(name);
  } catch (err) {
    if (!(err instanceof CorruptFileError)) throw err;
    found.push({ kind: 'pointer', detail: err.message });
  }
  const history = await store.getPointerHistory(name);
  if (!pointer && history.length > 0 && found.length === 0)
    found.push({ kind: 'pointer', detail: `models/${name}: the pointer is missing` });
  const versions = await store.listVersions(name);
  const candidates: Candidate[] = [];
  if (pointer) candidates.push({ version: pointer.version, step: pointer.step, from: 'pointer' });
  for (const p of [...history].reverse())
    candidates.push({ version: p.version, step: p.step, from: 'history' });
  for (const m of [...versions].reverse())
    if (m.status === 'candidate') candidates.push({ version: m.version, step: m.step, from: 'newest' });
  // The drift step never moves back, whichever version is served.
  const step = Math.max(0, ...candidates.filter((c) => c.from !== 'newest').map((c) => c.step));
  const tried = new Set<number>();
  for (const c of candidates) {
    if (tried.has(c.version)) continue;
    tried.add(c.version);
    let loaded: LoadedVersion;
    try {
      loaded = await store.loadVersion(name, c.version);
    } catch (err) {
      if (!isDamage(err)) throw err;
      found.push({ kind: 'model', detail: (err as Error).message });
      continue;
    }
    if (loaded.manifest.status === 'rejected') continue;
    if (c.from === 'pointer' && pointer)
      return { served: { pointer, loaded }, rewrite: false, neverPromoted: false, found };
    const recovered: Pointer = {
      name,
      version: c.version,
      step: Math.max(step, c.from === 'newest' ? loaded.manifest.step : c.step),
      promotedAt: new Date().toISOString(),
      reason: 'recovered',
    };
    const neverPromoted = !pointer && history.length === 0 && found.length === 0;
    return { served: { pointer: recovered, loaded }, rewrite: true, neverPromoted, found };
  }
  return { rewrite: false, neverPromoted: false, found };
}
