/**
 * Reads the model a CLI flag names: a .bin file, a registry version folder, or <name>@v<N> /
 * <name>@<alias> (champion, previous, or a user alias: sim/models/registry-aliases.ts) in a
 * filesystem registry. Versions written by the live service carry a manifest with the sha256
 * of every file (sim/models/version-layout.ts); the weights are checked against it, so a scan
 * never judges a torn or tampered copy.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  ALIASES_FILE,
  POINTER_FILE,
  aliasMap,
  aliasRecordSchema,
  effectiveAliases,
  emptyAliasRecord,
  parseModelRef,
} from '../models/registry-aliases.ts';
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
  /** The registry version, when the reference named one (`<name>@v<N>`, `<name>@<alias>`). */
  readonly version?: { name: string; version: number };
}

const pointerSchema = z.object({ version: z.number().int().positive(), promotedAt: z.string() });

async function readJson(path: string): Promise<unknown> {
  return existsSync(path) ? JSON.parse(await readFile(path, 'utf8')) : undefined;
}

/**
 * The registry version `<name>@v<N>` or `<name>@<alias>` names, or undefined when `ref` is
 * not of that form (a path). An alias is read as the service reads it: the pointer is the
 * truth for `champion`, aliases.json for the rest.
 */
export async function registryVersion(
  ref: string,
  registryRoot: string,
): Promise<{ name: string; version: number } | undefined> {
  const parts = ref.includes('@') ? parseModelRef(ref) : undefined;
  if (parts?.name === undefined) return undefined;
  const { name } = parts;
  if ('version' in parts) return { name, version: parts.version };
  const dir = join(registryRoot, 'models', name);
  const pointerJson = await readJson(join(dir, POINTER_FILE));
  const recordJson = await readJson(join(dir, ALIASES_FILE));
  const pointer = pointerJson === undefined ? undefined : pointerSchema.parse(pointerJson);
  const record = recordJson === undefined ? emptyAliasRecord() : aliasRecordSchema.parse(recordJson);
  const aliases = aliasMap(effectiveAliases(record, pointer));
  const version = aliases[parts.alias];
  if (version === undefined) {
    const known = Object.keys(aliases);
    throw new Error(
      `alias '${parts.alias}' of ${name} is not set in registry ${registryRoot} (set: ${known.length ? known.join(', ') : 'none'})`,
    );
  }
  return { name, version };
}

export async function readModelRef(ref: string, registryRoot: string): Promise<ModelRef> {
  const version = await registryVersion(ref, registryRoot);
  const target = version ? join(registryRoot, versionDir(version.name, version.version)) : ref;
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
  return { path, bytes, verified: true, ...(version && { version }) };
}

function verify(bytes: Uint8Array, manifestText: string, manifestPath: string): void {
  const parsed = manifestFilesSchema.safeParse(JSON.parse(manifestText));
  if (!parsed.success) throw new Error(`${manifestPath} is not a registry manifest`);
  const entry = parsed.data.files.find((f) => f.path === MODEL_FILE);
  if (!entry) throw new Error(`${manifestPath} does not list ${MODEL_FILE}`);
  if (!matchesEntry(entry, bytes))
    throw new Error(`${MODEL_FILE} does not match the sha256 in ${manifestPath}: refusing to scan it`);
}
