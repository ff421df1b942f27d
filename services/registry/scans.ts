/**
 * The scan history of a version: every backdoor scan the service ran on it, oldest first, in
 * `models/<name>/v<N>/scans.json`. The version's files and manifest are never touched: the
 * history is one extra document in its folder, replaced atomically with one more entry, so
 * it goes wherever the version goes (and a deleted version takes its scans with it).
 */
import { z } from 'zod';
import { VersionNotFoundError, type ModelStore } from './model-store.ts';

export const SCANS_FILE = 'scans.json';
/** The newest entries kept per version: a version scanned every cycle for days stays small. */
export const MAX_SCANS_PER_VERSION = 200;

export const scanRecordSchema = z.object({
  at: z.string(),
  /** The drift step the service had reached when it scanned (the test data's drift). */
  step: z.number().int().nonnegative(),
  defense: z.string(),
  anomalyIndex: z.number(),
  indexCeiling: z.number(),
  flagged: z.boolean(),
  flaggedLabels: z.array(z.number().int()),
  seconds: z.number().nonnegative(),
});
export type ScanRecord = z.infer<typeof scanRecordSchema>;

const historySchema = z.object({ version: z.number().int().positive(), scans: z.array(scanRecordSchema) });
export type ScanHistory = z.infer<typeof historySchema>;

const path = (version: number) => `v${version}/${SCANS_FILE}`;

/** The scans of a version (empty if it was never scanned); VersionNotFoundError if there is no such version. */
export async function loadScans(store: ModelStore, name: string, version: number): Promise<ScanHistory> {
  if (!(await store.getManifest(name, version)))
    throw new VersionNotFoundError(`version ${version} does not exist`);
  const json = await store.loadDocument(name, path(version));
  return json === undefined ? { version, scans: [] } : historySchema.parse(json);
}

/** Appends a scan to a complete version's history (never creates a version folder). */
export async function appendScan(
  store: ModelStore,
  name: string,
  version: number,
  scan: ScanRecord,
): Promise<ScanHistory> {
  if (!(await store.getManifest(name, version)))
    throw new VersionNotFoundError(`version ${version} does not exist`);
  const entry = scanRecordSchema.parse(scan);
  return store.updateDocument(name, path(version), (json) => {
    const scans = json === undefined ? [] : historySchema.parse(json).scans;
    return { version, scans: [...scans, entry].slice(-MAX_SCANS_PER_VERSION) };
  });
}
