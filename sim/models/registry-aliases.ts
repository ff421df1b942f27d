/**
 * Aliases and tags of a registry model, as MLflow's model registry has them: `champion` is
 * the served version, `previous` the one served before it, and users may name versions
 * (`staging`, `baseline`, ...) and tag them with key/value pairs. Versions are immutable, so
 * this lives in one small document beside them, `models/<name>/aliases.json`, replaced
 * atomically. The served pointer (promoted.json) stays the truth for `champion`: a record
 * written before the pointer last moved is reconciled on read (effectiveAliases), so a crash
 * between the two writes loses nothing. services/registry writes it; `permanence scan` reads it.
 */
import { z } from 'zod';

export const ALIASES_FILE = 'aliases.json';
/** The served pointer's file name (written by services/registry). */
export const POINTER_FILE = 'promoted.json';

/** Aliases the registry sets itself on promotion; users cannot move them. */
export const RESERVED_ALIASES = ['champion', 'previous'] as const;
export type ReservedAlias = (typeof RESERVED_ALIASES)[number];

export const aliasNameSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,39}$/, 'an alias is 1-40 of a-z, 0-9, _ and -, starting with a letter')
  .refine((s) => !/^v\d+$/.test(s), 'v<N> names a version, not an alias');
export const tagKeySchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, 'a tag key is 1-64 of A-Z, a-z, 0-9, _ . : -');
export const tagValueSchema = z.string().max(500);

const versionNumber = z.number().int().positive();
const versionKey = z.string().regex(/^[1-9]\d*$/);

export const aliasRecordSchema = z.object({
  /** The champion when the record was written; if the pointer moved since, it is `previous`. */
  champion: versionNumber.nullable(),
  previous: versionNumber.nullable(),
  /** User aliases: alias -> version. */
  aliases: z.record(aliasNameSchema, versionNumber),
  /** User tags per version ("3" -> { key: value }). */
  tags: z.record(versionKey, z.record(tagKeySchema, tagValueSchema)),
  /** When each version was first promoted (ISO time); never-served versions are absent. */
  promotedAt: z.record(versionKey, z.string()),
});
export type AliasRecord = z.infer<typeof aliasRecordSchema>;

export function emptyAliasRecord(): AliasRecord {
  return { champion: null, previous: null, aliases: {}, tags: {}, promotedAt: {} };
}

/** The record after `version` became the champion at `at`; unchanged if it already was. */
export function withPromotion(record: AliasRecord, version: number, at: string): AliasRecord {
  const promotedAt = { ...record.promotedAt, [version]: record.promotedAt[version] ?? at };
  if (record.champion === version) return { ...record, promotedAt };
  return { ...record, champion: version, previous: record.champion ?? record.previous, promotedAt };
}

/** The record as the pointer says it is now: a promotion the record missed is applied. */
export function effectiveAliases(
  record: AliasRecord,
  pointer: { version: number; promotedAt: string } | undefined,
): AliasRecord {
  return pointer ? withPromotion(record, pointer.version, pointer.promotedAt) : record;
}

/** Every alias name -> version, reserved ones first (those not set are left out). */
export function aliasMap(record: AliasRecord): Record<string, number> {
  const out: Record<string, number> = {};
  if (record.champion !== null) out.champion = record.champion;
  if (record.previous !== null) out.previous = record.previous;
  return { ...out, ...record.aliases };
}

/** The aliases that name `version`, sorted as aliasMap lists them. */
export function aliasesOf(record: AliasRecord, version: number): string[] {
  return Object.entries(aliasMap(record))
    .filter(([, v]) => v === version)
    .map(([alias]) => alias);
}

export function isReservedAlias(alias: string): alias is ReservedAlias {
  return (RESERVED_ALIASES as readonly string[]).includes(alias);
}

/** What a model reference names: `<name>@v<N>`, `<name>@<alias>`, or a bare `v<N>` / alias. */
export type ModelRefParts = { name?: string } & ({ version: number } | { alias: string });

/** Parses `live@v3`, `live@champion`, `v3`, `previous`; undefined for anything else. */
export function parseModelRef(ref: string): ModelRefParts | undefined {
  const m = /^(?:([\w.-]+)@)?(?:v(\d+)|([a-z][a-z0-9_-]*))$/.exec(ref);
  if (!m) return undefined;
  const name = m[1] === undefined ? {} : { name: m[1] };
  if (m[2] !== undefined) return Number(m[2]) > 0 ? { ...name, version: Number(m[2]) } : undefined;
  return { ...name, alias: m[3] };
}
