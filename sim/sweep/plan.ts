import {
  experimentConfigSchema,
  parseExperimentConfig,
  withResolvedAttack,
  type ExperimentConfig,
} from '../experiment/config.ts';
import { f0CacheKey } from '../experiment/runner.ts';
import { axisLabel, axisPath, axisValue, setPath } from './axes.ts';
import { experimentId, jobId } from './job-id.ts';
import { deepMerge, type SweepSpec } from './spec.ts';

/** One cell of the sweep: an experiment config, run once per seed. */
export interface PlannedExperiment {
  readonly id: string;
  readonly config: ExperimentConfig;
  /** Grids that contain this cell, with the axis values that made it. */
  readonly grids: readonly { readonly grid: string; readonly values: Readonly<Record<string, string>> }[];
}

/** One unit of work: one experiment, one seed. */
export interface SweepJob {
  readonly id: string;
  readonly experimentId: string;
  readonly seed: number;
  readonly config: ExperimentConfig;
}

export interface SweepPlan {
  readonly experiments: readonly PlannedExperiment[];
  readonly jobs: readonly SweepJob[];
}

/** Expands every grid over the base config, validates each cell and dedupes by id. */
export function planSweep(spec: SweepSpec): SweepPlan {
  // Start from the full default config so that an axis on `update.epochs` has a whole
  // `update` block to write into.
  const defaults = experimentConfigSchema.parse({}) as Record<string, unknown>;
  const shorthand = Object.fromEntries(Object.entries(spec.base).map(([k, v]) => [k, axisValue(k, v)]));
  const base = deepMerge(defaults, { ...shorthand, seeds: spec.seeds });
  const byId = new Map<string, { config: ExperimentConfig; grids: PlannedExperiment['grids'][number][] }>();
  for (const grid of spec.grids) {
    for (const combo of product(Object.entries(grid.axes))) {
      let input = base;
      const values: Record<string, string> = {};
      for (const [axis, value] of combo) {
        input = setPath(input, axisPath(axis), axisValue(axis, value));
        values[axis] = axisLabel(value);
      }
      let config: ExperimentConfig;
      try {
        config = withResolvedAttack(parseExperimentConfig(input));
      } catch (error) {
        const where = Object.entries(values).map(([k, v]) => `${k}=${v}`);
        throw new Error(
          `grid '${grid.name}' cell ${where.join(' ') || '(base)'}: ${(error as Error).message}`,
        );
      }
      const id = experimentId(config);
      const entry = byId.get(id) ?? { config, grids: [] };
      entry.grids.push({ grid: grid.name, values });
      byId.set(id, entry);
    }
  }
  const experiments = [...byId].map(([id, e]) => ({ id, config: e.config, grids: e.grids }));
  const jobs = experiments.flatMap((e) =>
    e.config.seeds.map((seed) => ({ id: jobId(e.id, seed), experimentId: e.id, seed, config: e.config })),
  );
  return { experiments, jobs };
}

export interface RunOrderOptions {
  /** Every cell's first seed before any cell's second (see runOrder). */
  readonly seedsFirst?: boolean;
}

/**
 * The order to run jobs in, for the F0 cache (<sweep>/f0-cache): first one job per distinct
 * F0 (cells that differ only after F0 share it), so that jobs running at once train different
 * F0s, then the others, which load their F0. Each part runs the longest jobs first. With
 * `seedsFirst`, every cell's first seed runs before any cell's second (each seed in that
 * order), so that a sweep stopped early has measured every cell.
 */
export function runOrder(
  jobs: readonly SweepJob[],
  cost: (job: SweepJob) => number,
  options: RunOrderOptions = {},
): SweepJob[] {
  if (options.seedsFirst) {
    const rounds = new Map<number, SweepJob[]>();
    for (const job of jobs) {
      const round = job.config.seeds.indexOf(job.seed);
      const list = rounds.get(round);
      if (list) list.push(job);
      else rounds.set(round, [job]);
    }
    return [...rounds].sort(([a], [b]) => a - b).flatMap(([, round]) => runOrder(round, cost));
  }
  const producers = firstJobPerF0(jobs);
  const longestFirst = (a: SweepJob, b: SweepJob): number => cost(b) - cost(a);
  return [
    ...jobs.filter((j) => producers.has(j.id)).sort(longestFirst),
    ...jobs.filter((j) => !producers.has(j.id)).sort(longestFirst),
  ];
}

/** Ids of the first job of each distinct F0 in `jobs`: the one that trains it (the others load it). */
export function firstJobPerF0(jobs: readonly SweepJob[]): Set<string> {
  const byF0 = new Map<string, string>();
  for (const job of jobs) {
    const key = f0CacheKey(job.config, job.seed);
    if (!byF0.has(key)) byF0.set(key, job.id);
  }
  return new Set(byF0.values());
}

/** The Cartesian product of the axes, as lists of [axis, value]; one empty combo if none. */
function product(axes: [string, unknown[]][]): [string, unknown][][] {
  return axes.reduce<[string, unknown][][]>(
    (combos, [axis, values]) =>
      combos.flatMap((c) => values.map((v) => [...c, [axis, v] as [string, unknown]])),
    [[]],
  );
}
