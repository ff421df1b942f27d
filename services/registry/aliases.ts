/**
 * MLflow-like aliases and tags of the registry (docs/service.md, "Registry"): `champion` and
 * `previous` move on every promotion (KeyedModelStore.promote calls recordPromotion), users
 * set their own aliases and tags through the admin API. One document per model,
 * `models/<name>/aliases.json` (sim/models/registry-aliases.ts), beside the immutable versions.
 */
import {
  ALIASES_FILE,
  aliasMap,
  aliasRecordSchema,
  aliasesOf,
  effectiveAliases,
  emptyAliasRecord,
  isReservedAlias,
  parseModelRef,
  withPromotion,
  type AliasRecord,
} from '../../sim/models/registry-aliases.ts';
import { VersionNotFoundError, type Manifest, type ModelStore, type Pointer } from './model-store.ts';

export class ReservedAliasError extends Error {}
export class InvalidRefError extends Error {}

function parseRecord(json: unknown): AliasRecord {
  return json === undefined ? emptyAliasRecord() : aliasRecordSchema.parse(json);
}

/** Records that `pointer` made its version the champion (the old champion becomes `previous`). */
export async function recordPromotion(store: ModelStore, name: string, pointer: Pointer): Promise<void> {
  await store.updateDocument(name, ALIASES_FILE, (json) =>
    withPromotion(parseRecord(json), pointer.version, pointer.promotedAt),
  );
}

/** The aliases and tags as they are now (reconciled with the served pointer). */
export async function loadAliases(store: ModelStore, name: string): Promise<AliasRecord> {
  const [json, pointer] = await Promise.all([
    store.loadDocument(name, ALIASES_FILE),
    store.getPromoted(name),
  ]);
  return effectiveAliases(parseRecord(json), pointer);
}

async function requireVersion(store: ModelStore, name: string, version: number): Promise<Manifest> {
  const manifest = await store.getManifest(name, version);
  if (!manifest) throw new VersionNotFoundError(`version ${version} does not exist`);
  return manifest;
}

/** Points a user alias at a version (MLflow's set_registered_model_alias). */
export async function setAlias(
  store: ModelStore,
  name: string,
  alias: string,
  version: number,
): Promise<Record<string, number>> {
  if (isReservedAlias(alias))
    throw new ReservedAliasError(`'${alias}' is set by promotion: use /admin/rollback to change it`);
  await requireVersion(store, name, version);
  const pointer = await store.getPromoted(name);
  const next = await store.updateDocument(name, ALIASES_FILE, (json) => {
    const record = effectiveAliases(parseRecord(json), pointer);
    return { ...record, aliases: { ...record.aliases, [alias]: version } };
  });
  return aliasMap(next);
}

/** Removes a user alias; false if it was not set. */
export async function deleteAlias(store: ModelStore, name: string, alias: string): Promise<boolean> {
  if (isReservedAlias(alias)) throw new ReservedAliasError(`'${alias}' is set by promotion`);
  let found = false;
  await store.updateDocument(name, ALIASES_FILE, (json) => {
    const record = parseRecord(json);
    found = alias in record.aliases;
    const aliases = Object.fromEntries(Object.entries(record.aliases).filter(([a]) => a !== alias));
    return { ...record, aliases };
  });
  return found;
}

/** Merges tags into a version's tags (an empty string value is kept: use deleteTag to remove). */
export async function setTags(
  store: ModelStore,
  name: string,
  version: number,
  tags: Record<string, string>,
): Promise<Record<string, string>> {
  await requireVersion(store, name, version);
  const next = await store.updateDocument(name, ALIASES_FILE, (json): AliasRecord => {
    const record = parseRecord(json);
    return { ...record, tags: { ...record.tags, [version]: { ...record.tags[version], ...tags } } };
  });
  return next.tags[String(version)] ?? {};
}

/** Removes one tag of a version; false if it was not set. */
export async function deleteTag(
  store: ModelStore,
  name: string,
  version: number,
  key: string,
): Promise<boolean> {
  let found = false;
  await store.updateDocument(name, ALIASES_FILE, (json) => {
    const record = parseRecord(json);
    const current = record.tags[version] ?? {};
    found = key in current;
    const kept = Object.fromEntries(Object.entries(current).filter(([k]) => k !== key));
    const tags = Object.fromEntries(Object.entries(record.tags).filter(([v]) => v !== String(version)));
    return { ...record, tags: Object.keys(kept).length ? { ...tags, [version]: kept } : tags };
  });
  return found;
}

/**
 * The version a reference names: a number, `v<N>`, an alias, or `<name>@v<N>` / `<name>@<alias>`
 * (the name, when given, must be this model's).
 */
export async function resolveVersion(store: ModelStore, name: string, ref: number | string): Promise<number> {
  if (typeof ref === 'number') return ref;
  const parts = parseModelRef(ref);
  if (!parts) throw new InvalidRefError(`'${ref}' is not a version (v<N>) or an alias`);
  if (parts.name !== undefined && parts.name !== name)
    throw new InvalidRefError(`'${ref}' names model '${parts.name}'; this service serves '${name}'`);
  if ('version' in parts) return parts.version;
  const version = aliasMap(await loadAliases(store, name))[parts.alias];
  if (version === undefined) throw new VersionNotFoundError(`alias '${parts.alias}' is not set`);
  return version;
}

/**
 * A manifest as the API shows it: `status` says whether it was ever served (the stored
 * manifest, immutable, says only candidate or rejected), plus its aliases and tags.
 */
export interface VersionView extends Omit<Manifest, 'status'> {
  status: 'candidate' | 'promoted' | 'rejected';
  promotedAt: string | null;
  aliases: string[];
  tags: Record<string, string>;
}

export function versionView(manifest: Manifest, record: AliasRecord): VersionView {
  const promotedAt = record.promotedAt[manifest.version] ?? null;
  const status = manifest.status === 'rejected' ? 'rejected' : promotedAt ? 'promoted' : 'candidate';
  return {
    ...manifest,
    status,
    promotedAt,
    aliases: aliasesOf(record, manifest.version),
    tags: record.tags[manifest.version] ?? {},
  };
}
