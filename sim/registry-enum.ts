import { z } from 'zod';

/**
 * A zod enum of a registry's keys (attacks, drifts, defenses, architectures), so that every
 * schema naming a kind reads it from the one registry instead of restating the list.
 */
export function keysEnum<K extends string>(registry: Readonly<Record<K, unknown>>): z.ZodEnum<[K, ...K[]]> {
  const keys = Object.keys(registry) as K[];
  if (keys.length === 0) throw new Error('keysEnum: the registry is empty');
  return z.enum(keys as [K, ...K[]]);
}
