import { parseAttackOrNone } from '../attacks/index.ts';
import { experimentConfigSchema, parseInjection } from '../experiment/config.ts';

/**
 * What a sweep axis may vary, and how its YAML value becomes config input. Axes are
 * experiment-config fields (`poisonRatio`, `drift`, ...), dotted paths into the training
 * blocks (`update.epochs`, `f0.epochs`), or the short aliases below.
 */
export const AXIS_ALIASES: Readonly<Record<string, string>> = {
  schedule: 'update.schedule',
  updateEpochs: 'update.epochs',
  updateBatch: 'update.batchSize',
};

const TRAINING_FIELDS = ['epochs', 'batchSize', 'schedule'];
const TOP_LEVEL = Object.keys(experimentConfigSchema.shape).filter((k) => k !== 'seeds' && k !== 'name');

/** The config path an axis writes, or an error naming the axes that exist. */
export function axisPath(axis: string): string[] {
  const path = (AXIS_ALIASES[axis] ?? axis).split('.');
  const [head, field, ...rest] = path;
  const ok =
    (path.length === 1 && TOP_LEVEL.includes(head)) ||
    ((head === 'f0' || head === 'update') && TRAINING_FIELDS.includes(field) && rest.length === 0);
  if (!ok) {
    const known = [...TOP_LEVEL, ...Object.keys(AXIS_ALIASES), 'f0.<field>', 'update.<field>'];
    throw new Error(`unknown sweep axis '${axis}' (known: ${known.join(', ')}; seeds go in 'seeds')`);
  }
  return path;
}

/** Shorthands: `attack: badnets:size=4` or `none`, `injection: persistent:5`. */
export function axisValue(axis: string, value: unknown): unknown {
  const path = AXIS_ALIASES[axis] ?? axis;
  if (path === 'attack' && typeof value === 'string') return parseAttackOrNone(value);
  if (path === 'injection' && typeof value === 'string') return parseInjection(value);
  return value;
}

/** Writes `value` at `path` in a copy of `config` (copies the objects on the way). */
export function setPath(
  config: Record<string, unknown>,
  path: readonly string[],
  value: unknown,
): Record<string, unknown> {
  const [head, ...rest] = path;
  if (rest.length === 0) return { ...config, [head]: value };
  const inner = config[head];
  const obj = typeof inner === 'object' && inner !== null ? (inner as Record<string, unknown>) : {};
  return { ...config, [head]: setPath(obj, rest, value) };
}

/** A short label of one axis value for names and report legends. */
export function axisLabel(value: unknown): string {
  if (value === null) return 'none';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
    return String(value);
  if (Array.isArray(value)) return value.map(axisLabel).join('+');
  return Object.values(value as Record<string, unknown>)
    .map(axisLabel)
    .join(':');
}
