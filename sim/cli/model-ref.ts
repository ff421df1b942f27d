/**
 * Reads the model a CLI flag names: a .bin file, a registry version folder, or <name>@v<N> in a
 * filesystem registry. Versions written by the live service carry a manifest with the sha256
 * of every file (sim/models/version-layout.ts); the weights are checked against it, so a scan
 * never judges a torn or tampered copy.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  MANIFEST_FILE,
  MODEL_FILE,
  fileEntrySchema,
  matchesEntry,
  versionDir,
} from '../models/version-layout.ts';

/** The part of a manifest a reader of model.bin needs. */
const manifestFilesSchema = z.object({ files: z.array(fileEntrySchema) });

export interface ModelRef {
  readonly path: string;
  readonly bytes: Uint8Array;
  /** True when the bytes were checked against the version's manifest. */
  readonly verified: boolean;
}

export async function readModelRef(ref: string, registryRoot: string): Promise<ModelRef> {
  const version = /^([\w.-]+)@v(\d+)$/.exec(ref);
  const target = version ? join(registryRoot, versionDir(version[1], Number(version[2]))) : ref;
  const info = await stat(target).catch(() => {
    throw new Error(`no model at ${target}${version ? ` (registry ${registryRoot})` : ''}`);
  });
  if (!info.isDirectory())
    return { path: target, bytes: new Uint8Array(await readFile(target)), verified: false };
  const path = join(target, MODEL_FILE);
  if (!existsSync(path)) throw new Error(`no ${MODEL_FILE} in ${target}`);
  const bytes = new Uint8Array(await readFile(path));
  const manifestPath = join(target, MANIFEST_FILE);
  if (!existsSync(manifestPath)) {
    // The registry writes the manifest last: a version folder without one is an unfinished write.
    if (version) throw new Error(`${ref} has no ${MANIFEST_FILE}: an unfinished write, not a version`);
    return { path, bytes, verified: false };
  }
  verify(bytes, await readFile(manifestPath, 'utf8'), manifestPath);
  return { path, bytes, verified: true };
}

function verify(bytes: Uint8Array, manifestText: string, manifestPath: string): void {
  const parsed = manifestFilesSchema.safeParse(JSON.parse(manifestText));
  if (!parsed.success) throw new Error(`${manifestPath} is not a registry manifest`);
  const entry = parsed.data.files.find((f) => f.path === MODEL_FILE);
  if (!entry) throw new Error(`${manifestPath} does not list ${MODEL_FILE}`);
  if (!matchesEntry(entry, bytes))
    throw new Error(`${MODEL_FILE} does not match the sha256 in ${manifestPath}: refusing to scan it`);
}
