/**
 * How a registry stores a model version: `models/<name>/v<N>/` holds model.bin, metrics.json,
 * experience.json (what the update was trained on, sim/replay/record.ts) and manifest.json,
 * which lists the size and sha256 of every other file and is written last.
 * services/registry writes versions in this layout and `permanence scan` reads them, so the
 * layout and its file check live here, where both can import them (sim never imports services).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** The serialised weights of a version (sim/models/serialize.ts format). */
export const MODEL_FILE = 'model.bin';
export const MANIFEST_FILE = 'manifest.json';
/** The recorded experience of the version, so that it can be replayed (docs/replay.md). */
export const EXPERIENCE_FILE = 'experience.json';

export function versionDir(name: string, version: number): string {
  return `models/${name}/v${version}`;
}

export const fileEntrySchema = z.object({
  path: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  bytes: z.number().int().nonnegative(),
});
export type FileEntry = z.infer<typeof fileEntrySchema>;

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** True when `data` is the file `entry` describes: same size and sha256. */
export function matchesEntry(entry: FileEntry, data: Uint8Array): boolean {
  return data.byteLength === entry.bytes && sha256(data) === entry.sha256;
}
