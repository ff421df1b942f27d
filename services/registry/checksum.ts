/** Manifest building and verification shared by every ModelStore implementation. */
import { matchesEntry, sha256 } from '../../sim/models/version-layout.ts';
import {
  ChecksumError,
  METRICS_FILE,
  type LoadedVersion,
  type Manifest,
  type VersionDraft,
} from './model-store.ts';

export function encodeJson(value: unknown): Uint8Array {
  return new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);
}

/** The files of a version (model files plus metrics.json) and the manifest describing them. */
export function buildVersion(
  name: string,
  version: number,
  draft: VersionDraft,
): { files: Record<string, Uint8Array>; manifest: Manifest } {
  if (METRICS_FILE in draft.files) throw new Error(`${METRICS_FILE} is written by the registry`);
  const files: Record<string, Uint8Array> = { ...draft.files, [METRICS_FILE]: encodeJson(draft.metrics) };
  const manifest: Manifest = {
    name,
    version,
    createdAt: new Date().toISOString(),
    step: draft.step,
    parentVersion: draft.parentVersion,
    schedule: draft.schedule,
    status: draft.status,
    files: Object.entries(files)
      .map(([path, data]) => ({ path, sha256: sha256(data), bytes: data.byteLength }))
      .sort((a, b) => a.path.localeCompare(b.path)),
  };
  return { files, manifest };
}

/** Checks every file against the manifest; throws ChecksumError naming the first bad one. */
export function verifyVersion(manifest: Manifest, files: Record<string, Uint8Array>): LoadedVersion {
  for (const entry of manifest.files) {
    const data = files[entry.path];
    if (!data) throw new ChecksumError(`v${manifest.version}: ${entry.path} is missing`);
    if (!matchesEntry(entry, data)) {
      throw new ChecksumError(`v${manifest.version}: ${entry.path} does not match its sha256`);
    }
  }
  const metrics = JSON.parse(new TextDecoder().decode(files[METRICS_FILE])) as Record<string, unknown>;
  return { manifest, files, metrics };
}
