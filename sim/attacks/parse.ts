import { z } from 'zod';
import type { AttackConfig } from './types.ts';
import { ATTACK_KINDS, attackKindSchema, getAttack } from './registry.ts';

/**
 * Validation of any attack config (zod): the kind from the registry, then that attack's own
 * schema, so each attack's parameters and bounds are written once, in its file.
 */
export const attackConfigSchema: z.ZodType<AttackConfig, z.ZodTypeDef, unknown> = z
  .object({ kind: attackKindSchema })
  .passthrough()
  .transform((value, ctx) => {
    const parsed = getAttack(value.kind).schema.safeParse(value);
    if (parsed.success) return parsed.data;
    for (const issue of parsed.error.issues) ctx.addIssue(issue);
    return z.NEVER;
  });

/** The config of a campaign's trigger: its seed parameter (if the attack has one) set to `seed`. */
export function seededAttack(config: AttackConfig, seed: number): AttackConfig {
  const { seedParam } = getAttack(config.kind);
  return seedParam ? { ...config, [seedParam]: seed } : config;
}

/** Validates an attack config from any source; throws a readable error. */
export function validateAttack(value: unknown): AttackConfig {
  const result = attackConfigSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || 'config'}: ${i.message}`).join('; ');
    throw new Error(`invalid attack config ${JSON.stringify(value)}: ${issues}`);
  }
  return result.data;
}

/**
 * Parses "badnets", "badnets:size=4", "blend:alpha=0.1,keySeed=3", "wanet:strength=0.75".
 */
export function parseAttack(text: string): AttackConfig {
  const [kind, params, ...rest] = text.trim().split(':');
  if (rest.length > 0) throw new Error(`attack '${text}': expected kind[:key=value,...]`);
  if (!(ATTACK_KINDS as string[]).includes(kind)) {
    throw new Error(`unknown attack '${kind}' (known: ${ATTACK_KINDS.join(', ')})`);
  }
  const fields: Record<string, string> = {};
  if (params !== undefined && params.trim() !== '') {
    for (const pair of params.split(',')) {
      const [key, value, ...extra] = pair.split('=').map((s) => s.trim());
      if (!key || value === undefined || value === '' || extra.length > 0) {
        throw new Error(`attack '${text}': '${pair}' is not key=value`);
      }
      fields[key] = value;
    }
  }
  return validateAttack({ kind, ...fields });
}

/** Like parseAttack, with 'none' for a clean run (CLI flags and sweep axes). */
export function parseAttackOrNone(text: string): AttackConfig | null {
  if (text.trim() === 'none') return null;
  const kind = text.trim().split(':')[0];
  if (!(ATTACK_KINDS as string[]).includes(kind)) {
    throw new Error(`unknown attack '${kind}' (known: none, ${ATTACK_KINDS.join(', ')})`);
  }
  return parseAttack(text);
}

/** The inverse of parseAttack: "blend" or "blend:alpha=0.05" (only the fields the config sets). */
export function formatAttack(config: AttackConfig): string {
  const params = Object.entries(config)
    .filter(([key, value]) => key !== 'kind' && value !== undefined)
    .map(([key, value]) => `${key}=${String(value)}`);
  return params.length === 0 ? config.kind : `${config.kind}:${params.join(',')}`;
}
