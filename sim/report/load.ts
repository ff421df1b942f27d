import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExperimentConfig } from '../experiment/config.ts';
import { aggregate, type ExperimentResults } from '../experiment/results.ts';
import {
  readResult,
  readSweepMeta,
  type JobResult,
  type SweepIndex,
  type SweepMeta,
} from '../sweep/store.ts';

/** One cell of a sweep with the seeds that finished, aggregated (mean and std over seeds). */
export interface ExperimentData {
  readonly id: string;
  readonly config: ExperimentConfig;
  readonly grids: SweepIndex['experiments'][number]['grids'];
  readonly jobs: readonly JobResult[];
  /** Null when no seed of the cell has finished. */
  readonly results: ExperimentResults | null;
}

export interface SweepData {
  readonly dir: string;
  readonly meta: SweepMeta;
  readonly index: SweepIndex;
  readonly experiments: readonly ExperimentData[];
}

/** Reads a sweep folder: its spec, index and every finished job's result. */
export async function loadSweep(dir: string): Promise<SweepData> {
  const meta = await readSweepMeta(dir).catch(() => {
    throw new Error(`${dir} is not a sweep folder (no sweep.json); run 'permanence sweep' first`);
  });
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as SweepIndex;
  const byExperiment = new Map<string, JobResult[]>();
  for (const entry of index.jobs) {
    const result = await readResult(dir, entry.id);
    if (!result) continue;
    const list = byExperiment.get(entry.experimentId) ?? [];
    list.push(result);
    byExperiment.set(entry.experimentId, list);
  }
  const experiments: ExperimentData[] = [];
  for (const e of index.experiments) {
    const config = JSON.parse(
      await readFile(join(dir, 'experiments', `${e.id}.json`), 'utf8'),
    ) as ExperimentConfig;
    const jobs = (byExperiment.get(e.id) ?? []).sort((a, b) => a.seed - b.seed);
    const seconds = jobs.reduce((a, j) => a + j.run.seconds, 0);
    const backend = jobs[0]?.run.backend ?? 'none';
    const results =
      jobs.length > 0
        ? aggregate(
            config,
            jobs.map((j) => j.result),
            backend,
            seconds,
          )
        : null;
    experiments.push({ id: e.id, config, grids: e.grids, jobs, results });
  }
  return { dir, meta, index, experiments };
}
