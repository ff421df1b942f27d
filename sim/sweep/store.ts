import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { link, mkdir, readFile, readdir, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExperimentConfig } from '../experiment/config.ts';
import { writeAtomic } from '../experiment/run-folder.ts';
import type { SeedResult } from '../experiment/runner.ts';
import type { PlannedExperiment, SweepJob, SweepPlan } from './plan.ts';
import type { SweepSpec } from './spec.ts';

/**
 * A sweep folder is the shared store of local and distributed runs:
 *   sweep.json                  the spec, a unique id (names the BullMQ jobs) and the commands
 *   experiments/<eid>.json      each cell's config (runnable by `permanence run --config`)
 *   jobs/<eid>-s<seed>/result.json   one per finished job, created once and never replaced
 *   jobs/<id>/error.json        the last failure of a job (overwritten by a retry)
 *   index.json                  every planned job and its status (rebuilt from the folders)
 * A job counts as done iff its result.json exists; it is created by an atomic link of a
 * complete temporary file, so a killed run leaves no half result, and a second finisher of
 * the same job (a retried job whose first worker was only slow) cannot replace the first.
 */
export interface JobRun {
  /** host:pid of the process that ran the job (also its BullMQ worker name). */
  readonly worker: string;
  /** 1 for the first run; BullMQ's attempt number in distributed mode. */
  readonly attempt: number;
  readonly backend: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly seconds: number;
}

export interface JobResult {
  readonly format: 1;
  readonly id: string;
  readonly experimentId: string;
  readonly seed: number;
  readonly config: ExperimentConfig;
  readonly result: SeedResult;
  readonly run: JobRun;
}

export interface SweepMeta {
  readonly format: 1;
  readonly uid: string;
  readonly name: string;
  readonly quick: boolean;
  readonly spec: SweepSpec;
  readonly source: string;
  readonly createdAt: string;
  /** Every command that ran on this folder, newest last. */
  readonly commands: readonly string[];
}

export interface IndexEntry {
  readonly id: string;
  readonly experimentId: string;
  readonly seed: number;
  readonly status: 'done' | 'failed' | 'pending';
  readonly worker?: string;
  readonly attempt?: number;
  readonly seconds?: number;
  readonly error?: string;
}

export interface SweepIndex {
  readonly format: 1;
  readonly name: string;
  readonly total: number;
  readonly done: number;
  readonly failed: number;
  readonly updatedAt: string;
  readonly experiments: readonly Pick<PlannedExperiment, 'id' | 'grids'>[];
  readonly jobs: readonly IndexEntry[];
}

export const resultPath = (dir: string, id: string): string => join(dir, 'jobs', id, 'result.json');
const errorPath = (dir: string, id: string): string => join(dir, 'jobs', id, 'error.json');

/** Writes sweep.json (keeping the uid and command history of an earlier run) and the cell configs. */
export async function initSweepFolder(
  dir: string,
  spec: SweepSpec,
  plan: SweepPlan,
  info: { quick: boolean; source: string; command: string },
): Promise<SweepMeta> {
  const previous = await readSweepMeta(dir).catch(() => null);
  const meta: SweepMeta = {
    format: 1,
    uid: previous?.uid ?? randomUUID().slice(0, 8),
    name: spec.name,
    quick: info.quick,
    spec,
    source: info.source,
    createdAt: previous?.createdAt ?? new Date().toISOString(),
    commands: [...(previous?.commands ?? []), info.command],
  };
  await writeAtomic(join(dir, 'sweep.json'), JSON.stringify(meta, null, 2));
  for (const e of plan.experiments) {
    const path = join(dir, 'experiments', `${e.id}.json`);
    if (!existsSync(path)) await writeAtomic(path, JSON.stringify(e.config, null, 2));
  }
  return meta;
}

export async function readSweepMeta(dir: string): Promise<SweepMeta> {
  return JSON.parse(await readFile(join(dir, 'sweep.json'), 'utf8')) as SweepMeta;
}

export async function readResult(dir: string, id: string): Promise<JobResult | null> {
  try {
    return JSON.parse(await readFile(resultPath(dir, id), 'utf8')) as JobResult;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/**
 * Creates result.json if no finisher got there first; returns whether this call created it.
 * link(2) fails with EEXIST instead of replacing, which makes "first result wins" atomic
 * even between machines sharing the folder over NFS.
 */
export async function saveResultOnce(dir: string, result: JobResult): Promise<boolean> {
  const path = resultPath(dir, result.id);
  await mkdir(join(dir, 'jobs', result.id), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`;
  await writeFile(tmp, JSON.stringify(result, null, 2));
  try {
    await link(tmp, path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
}

export async function saveJobError(
  dir: string,
  id: string,
  error: { message: string; worker: string; attempt: number },
): Promise<void> {
  await writeAtomic(errorPath(dir, id), JSON.stringify({ ...error, at: new Date().toISOString() }, null, 2));
}

/** Ids of jobs with a result in the folder. */
export async function finishedJobIds(dir: string): Promise<Set<string>> {
  const ids = await readdir(join(dir, 'jobs')).catch(() => [] as string[]);
  return new Set(ids.filter((id) => existsSync(resultPath(dir, id))));
}

/** Rebuilds index.json from the job folders: one entry per planned job, counted once. */
export async function writeIndex(dir: string, name: string, plan: SweepPlan): Promise<SweepIndex> {
  const jobs: IndexEntry[] = [];
  for (const job of plan.jobs) jobs.push(await indexEntry(dir, job));
  const index: SweepIndex = {
    format: 1,
    name,
    total: jobs.length,
    done: jobs.filter((j) => j.status === 'done').length,
    failed: jobs.filter((j) => j.status === 'failed').length,
    updatedAt: new Date().toISOString(),
    experiments: plan.experiments.map(({ id, grids }) => ({ id, grids })),
    jobs,
  };
  await writeAtomic(join(dir, 'index.json'), JSON.stringify(index, null, 2));
  return index;
}

async function indexEntry(dir: string, job: SweepJob): Promise<IndexEntry> {
  const base = { id: job.id, experimentId: job.experimentId, seed: job.seed };
  const result = await readResult(dir, job.id);
  if (result)
    return {
      ...base,
      status: 'done',
      worker: result.run.worker,
      attempt: result.run.attempt,
      seconds: result.run.seconds,
    };
  if (existsSync(errorPath(dir, job.id))) {
    const err = JSON.parse(await readFile(errorPath(dir, job.id), 'utf8')) as {
      message: string;
      attempt: number;
    };
    return { ...base, status: 'failed', error: err.message, attempt: err.attempt };
  }
  return { ...base, status: 'pending' };
}
