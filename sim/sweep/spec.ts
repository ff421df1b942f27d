import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * A sweep file: a base experiment config, the seeds, and one or more grids. Each grid is a
 * Cartesian product over its axes; the sweep is the union of the grids' cells (a cell that
 * two grids share runs once). A union of small grids covers the paper's figures without the
 * cost of one full product. `quick` shrinks everything for CI.
 */
const axisValues = z.array(z.unknown()).min(1);

const gridSchema = z
  .object({
    name: z.string().min(1).max(80),
    /** Which finding or figure the grid is for (shown in the report). */
    about: z.string().max(300).optional(),
    axes: z.record(z.string(), axisValues).default({}),
    /** At the quick scale: replace these axes' values, or leave the grid out. */
    quick: z
      .object({ axes: z.record(z.string(), axisValues).default({}), skip: z.boolean().default(false) })
      .strict()
      .optional(),
  })
  .strict();

const quickSchema = z
  .object({
    /** Deep-merged over `base`. */
    base: z.record(z.string(), z.unknown()).default({}),
    seeds: z.array(z.number().int().min(0)).min(1).optional(),
    /** Keep at most this many values per axis: the first and last, then evenly spaced ones. */
    maxValues: z.number().int().min(1).optional(),
  })
  .strict();

export const sweepSpecSchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/, 'name: lowercase letters, digits and dashes')
      .max(60),
    description: z.string().max(2000).optional(),
    /** Experiment config fields (sim/experiment/config.ts) shared by every cell. */
    base: z.record(z.string(), z.unknown()).default({}),
    seeds: z.array(z.number().int().min(0)).min(1).default([0, 1, 2]),
    grids: z.array(gridSchema).min(1),
    quick: quickSchema.optional(),
  })
  .strict();

export type SweepSpec = z.output<typeof sweepSpecSchema>;
export type GridSpec = SweepSpec['grids'][number];

export function parseSweepSpec(input: unknown, source = 'sweep'): SweepSpec {
  const parsed = sweepSpecSchema.safeParse(input);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(sweep)'}: ${i.message}`);
    throw new Error(`invalid sweep file ${source}:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export async function loadSweepSpec(path: string): Promise<SweepSpec> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new Error(`cannot read sweep file ${path}`);
  });
  return parseSweepSpec(path.endsWith('.json') ? JSON.parse(text) : parseYaml(text), path);
}

/**
 * The CI scale: quick.base over base, quick seeds (default: the first seed), each axis cut
 * to `maxValues`, then each grid's own quick axes.
 */
export function quickSpec(spec: SweepSpec): SweepSpec {
  const quick = spec.quick ?? { base: {} };
  const cut = quick.maxValues;
  return {
    ...spec,
    name: `${spec.name}-quick`,
    base: deepMerge(spec.base, quick.base),
    seeds: quick.seeds ?? spec.seeds.slice(0, 1),
    grids: spec.grids
      .filter((g) => !g.quick?.skip)
      .map((g) => {
        const axes = cut
          ? Object.fromEntries(Object.entries(g.axes).map(([k, v]) => [k, spread(v, cut)]))
          : g.axes;
        return { ...g, axes: { ...axes, ...g.quick?.axes }, quick: undefined };
      }),
    quick: undefined,
  };
}

/** `n` values spread over the list, always keeping the first and the last. */
export function spread<T>(values: readonly T[], n: number): T[] {
  if (values.length <= n) return [...values];
  if (n === 1) return [values[0]];
  return Array.from({ length: n }, (_, i) => values[Math.round((i * (values.length - 1)) / (n - 1))]);
}

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Merges plain objects key by key; arrays and scalars in `over` replace. */
export function deepMerge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const prev = out[key];
    out[key] = isPlain(prev) && isPlain(value) ? deepMerge(prev, value) : value;
  }
  return out;
}
