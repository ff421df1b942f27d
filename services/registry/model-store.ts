/**
 * The model registry contract. A version is immutable once written: `models/<name>/v<N>/`
 * holds the model files, metrics.json and manifest.json (sha256 of every other file). The
 * manifest is written last, so a version without one never happened. The pointer
 * `models/<name>/promoted.json` names the served version and is written after the version;
 * `models/<name>/promoted-history.json` lists the last pointers (written just before the
 * pointer, so a lost or damaged pointer can be recovered: registry/recovery.ts);
 * `models/<name>/operator.json` holds the operator's run-time choices (replaced whole).
 */
import { z } from 'zod';
import { fileEntrySchema } from '../../sim/models/version-layout.ts';

export { MANIFEST_FILE, fileEntrySchema, versionDir } from '../../sim/models/version-layout.ts';
export { POINTER_FILE } from '../../sim/models/registry-aliases.ts';

export const manifestSchema = z.object({
  name: z.string(),
  version: z.number().int().positive(),
  createdAt: z.string(),
  /** Drift step the model was trained up to (0 for F0). */
  step: z.number().int().nonnegative(),
  parentVersion: z.number().int().positive().nullable(),
  schedule: z.string(),
  /** candidate: fit to promote; rejected: a diverged update kept for inspection only. */
  status: z.enum(['candidate', 'rejected']),
  files: z.array(fileEntrySchema),
});
export type Manifest = z.infer<typeof manifestSchema>;

export const pointerSchema = z.object({
  name: z.string(),
  version: z.number().int().positive(),
  /** The drift step the service had reached when this pointer was written. */
  step: z.number().int().nonnegative(),
  promotedAt: z.string(),
  /** recovered: the service re-wrote a lost or damaged pointer (registry/recovery.ts). */
  reason: z.enum(['initial', 'cycle', 'rollback', 'recovered']),
});
export type Pointer = z.infer<typeof pointerSchema>;

/** What a cycle hands to the registry: named file contents plus the metrics document. */
export interface VersionDraft {
  step: number;
  parentVersion: number | null;
  schedule: string;
  status: Manifest['status'];
  files: Record<string, Uint8Array>;
  metrics: Record<string, unknown>;
}

export interface LoadedVersion {
  manifest: Manifest;
  /** Every file of the manifest, checksums verified (metrics.json included). */
  files: Record<string, Uint8Array>;
  metrics: Record<string, unknown>;
}

export class ChecksumError extends Error {}
export class VersionNotFoundError extends Error {}
/** A registry document (pointer, manifest, operator state) that is not valid JSON or not of its schema. */
export class CorruptFileError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`${key}: ${reason}`);
  }
}

/** Pointers kept in the pointer history (the newest last). */
export const POINTER_HISTORY_LENGTH = 100;

/** One page of versions, newest first; `next` is the cursor of the following page. */
export interface VersionPage {
  versions: Manifest[];
  next: number | null;
}

export interface ModelStore {
  readonly kind: 'fs' | 's3';
  /** Prepares the backing storage (folder, bucket); throws if it is unreachable. */
  init(): Promise<void>;
  /** Writes the next version number atomically and returns its manifest. */
  saveVersion(name: string, draft: VersionDraft): Promise<Manifest>;
  /** Complete versions in ascending order (a version whose manifest is damaged is left out). */
  listVersions(name: string): Promise<Manifest[]>;
  /** Version numbers in use, ascending (complete or not; reads no manifest). */
  listVersionNumbers(name: string): Promise<number[]>;
  /** Up to `limit` complete versions numbered below `before` (all when null), newest first. */
  listPage(name: string, limit: number, before: number | null): Promise<VersionPage>;
  /** Removes a version (manifest first, so a half-removed version no longer counts). */
  deleteVersion(name: string, version: number): Promise<void>;
  getManifest(name: string, version: number): Promise<Manifest | undefined>;
  /** Loads a version and verifies every checksum (ChecksumError on mismatch). */
  loadVersion(name: string, version: number): Promise<LoadedVersion>;
  /** Points the promoted pointer at a complete, non-rejected version. */
  promote(name: string, version: number, step: number, reason: Pointer['reason']): Promise<Pointer>;
  /** The pointer, undefined if none; CorruptFileError if it is damaged. */
  getPromoted(name: string): Promise<Pointer | undefined>;
  /** The last pointers written, oldest first (empty when none or damaged). */
  getPointerHistory(name: string): Promise<Pointer[]>;
  /** Throws when the store cannot be written (read-only mount, full disk, denied). */
  probeWritable(): Promise<void>;
  /**
   * Replaces the operator's run-time state (schedule, pause, campaigns, policy) atomically:
   * a mutable JSON document beside the immutable versions, so a restart resumes it.
   */
  saveOperatorState(name: string, state: unknown): Promise<void>;
  /**
   * The last saved operator state (unvalidated JSON), or undefined if none was saved;
   * CorruptFileError when it is not JSON.
   */
  loadOperatorState(name: string): Promise<unknown>;
  /**
   * Read-modify-write of a small JSON document beside the versions (`models/<name>/<path>`,
   * `path` as DOCUMENT_PATH allows): `update` gets the current JSON (undefined if none) and
   * returns the new one, which replaces it atomically. Updates of one document run one at a
   * time within the process (the service is the registry's only writer). Used for aliases
   * and tags (aliases.ts) and a version's scan history (scans.ts).
   */
  updateDocument<T>(name: string, path: string, update: (current: unknown) => T): Promise<T>;
  /** The document at `models/<name>/<path>` (unvalidated JSON), or undefined if there is none. */
  loadDocument(name: string, path: string): Promise<unknown>;
}

/** Documents are `<file>.json` at the model's root or in a version folder (`v3/scans.json`). */
export const DOCUMENT_PATH = /^(v[1-9]\d*\/)?[a-z][a-z0-9-]*\.json$/;

export const METRICS_FILE = 'metrics.json';
export const OPERATOR_STATE_FILE = 'operator.json';
export const POINTER_HISTORY_FILE = 'promoted-history.json';
