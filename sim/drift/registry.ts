import { keysEnum } from '../registry-enum.ts';
import { brightnessDrift } from './brightness.ts';
import { hueDrift } from './hue.ts';
import { rotateDrift } from './rotate.ts';
import { saturationDrift } from './saturation.ts';
import { DRIFT_KINDS, type DriftDefinition, type DriftKind } from './types.ts';

/** Every drift kind, by name (one file each, registered in one list). */
export const DRIFTS: Readonly<Record<DriftKind, DriftDefinition>> = Object.fromEntries(
  [rotateDrift, hueDrift, brightnessDrift, saturationDrift].map((d) => [d.kind, d]),
) as Record<DriftKind, DriftDefinition>;
export const driftKindSchema = keysEnum(DRIFTS);

export function isDriftKind(name: string): name is DriftKind {
  return (DRIFT_KINDS as readonly string[]).includes(name);
}

export function getDrift(kind: DriftKind): DriftDefinition {
  const drift = DRIFTS[kind];
  if (!drift) throw new Error(`unknown drift kind '${kind}' (known: ${DRIFT_KINDS.join(', ')})`);
  return drift;
}
