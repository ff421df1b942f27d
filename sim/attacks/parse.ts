import { z } from 'zod';
import type { AttackConfig } from './types.ts';
import { ATTACK_KINDS } from './registry.ts';

const num = z.coerce.number().finite();

/** Validation of each attack's parameters (zod), also usable on configs loaded from JSON/YAML. */
export const attackConfigSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('badnets'),
      size: num.int().min(1).optional(),
      value: num.min(0).max(1).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('blend'),
      alpha: num.min(0).max(1).optional(),
      keySeed: num.int().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('wanet'),
      strength: num.min(0).optional(),
      gridSize: num.int().min(2).optional(),
      crossRatio: num.min(0).optional(),
      seed: num.int().optional(),
    })
    .strict(),
]);

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
