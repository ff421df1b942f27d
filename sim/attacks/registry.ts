import type { ImageShape } from '../data/image-set.ts';
import { keysEnum } from '../registry-enum.ts';
import { badnets } from './badnets.ts';
import { blend } from './blend.ts';
import type { AttackConfig, AttackConfigOf, AttackDefinition, AttackKind, Trigger } from './types.ts';
import { wanet } from './wanet.ts';

type Registry = { readonly [K in AttackKind]: AttackDefinition<K> };

/** Every attack, by name (one file each). */
export const ATTACKS: Registry = { badnets, blend, wanet };
export const ATTACK_KINDS = Object.keys(ATTACKS) as AttackKind[];
export const attackKindSchema = keysEnum(ATTACKS);

export function getAttack<K extends AttackKind>(kind: K): AttackDefinition<K> {
  const attack = ATTACKS[kind] as AttackDefinition<K> | undefined;
  if (!attack) throw new Error(`unknown attack '${kind}' (known: ${ATTACK_KINDS.join(', ')})`);
  return attack;
}

/** The config with every default filled in for an image shape. */
export function resolveAttack<K extends AttackKind>(
  config: AttackConfigOf<K>,
  shape: ImageShape,
): Required<AttackConfigOf<K>> {
  return getAttack(config.kind as K).resolve(config, shape);
}

/**
 * Builds the trigger for an image shape. Deterministic: keys and grids come from seeds in
 * the config, so a saved config rebuilds the same trigger.
 */
export function createTrigger(config: AttackConfig, shape: ImageShape): Trigger {
  return createTriggerOf(config, shape);
}

function createTriggerOf<K extends AttackKind>(config: AttackConfigOf<K>, shape: ImageShape): Trigger {
  const attack = getAttack(config.kind as K);
  return attack.create(attack.resolve(config, shape), shape);
}
