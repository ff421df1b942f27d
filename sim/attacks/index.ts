export type {
  AttackConfig,
  AttackConfigOf,
  AttackDefinition,
  AttackKind,
  BadNetsConfig,
  BlendConfig,
  Trigger,
  WanetConfig,
} from './types.ts';
export {
  ATTACKS,
  ATTACK_KINDS,
  attackKindSchema,
  createTrigger,
  getAttack,
  resolveAttack,
} from './registry.ts';
export {
  attackConfigSchema,
  formatAttack,
  parseAttack,
  parseAttackOrNone,
  seededAttack,
  validateAttack,
} from './parse.ts';
export { poisonCounts, poisonSet, triggeredTestSet, type PoisonOptions, type PoisonedSet } from './poison.ts';
export { WANET_CROSS_RATIO } from './wanet.ts';
