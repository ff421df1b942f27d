import { hostname } from 'node:os';
import { join } from 'node:path';
import type { BackendName } from '../backend/loader.ts';
import type { ExperimentEvent } from '../experiment/runner.ts';
import { runSeedInThread } from '../experiment/seed-thread.ts';
import { TaskFailedError } from '../thread-task.ts';
import type { SweepJob } from './plan.ts';
import { readResult, saveResultOnce, type JobResult } from './store.ts';

export interface RunJobOptions {
  readonly dir: string;
  readonly backend: BackendName;
  /** Who ran the job, for the result (default host:pid of this process). */
  readonly worker?: string;
  readonly attempt?: number;
  readonly onEvent?: (event: ExperimentEvent) => void;
}

export interface JobOutcome {
  readonly result: JobResult;
  /** False when another run of the same job had already stored its result (nothing rerun or rewritten). */
  readonly fresh: boolean;
}

/**
 * The experiment itself threw (e.g. training diverged): rerunning the same config and seed
 * fails the same way, so a queue should not retry it. A crashed thread is not one of these.
 */
export class DeterministicJobError extends Error {}

/** Trained F0s shared by the sweep's cells that differ only after F0 (see runner f0CacheKey). */
export const f0CacheDir = (dir: string): string => join(dir, 'f0-cache');

export const processName = (): string => `${hostname()}:${process.pid}`;

/**
 * Runs one job unless its result already exists, and stores the result once. The seed runs
 * in a worker thread (the experiment module's seed-worker) so that this thread stays free:
 * progress keeps flowing and BullMQ can renew its job lock while training runs.
 */
export async function runJob(job: SweepJob, options: RunJobOptions): Promise<JobOutcome> {
  const existing = await readResult(options.dir, job.id);
  if (existing) return { result: existing, fresh: false };
  const startedAt = new Date();
  const seed = await runSeedInThread(
    {
      config: job.config,
      seed: job.seed,
      backend: options.backend,
      // In the sweep folder, so that it is shared with workers on other machines.
      f0CacheDir: f0CacheDir(options.dir),
    },
    options.onEvent,
  ).catch((error: Error) => {
    throw error instanceof TaskFailedError
      ? new DeterministicJobError(`job ${job.id}: ${error.message}`)
      : error;
  });
  const result: JobResult = {
    format: 1,
    id: job.id,
    experimentId: job.experimentId,
    seed: job.seed,
    config: job.config,
    result: seed,
    run: {
      worker: options.worker ?? processName(),
      attempt: options.attempt ?? 1,
      backend: options.backend,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      seconds: (Date.now() - startedAt.getTime()) / 1000,
    },
  };
  if (await saveResultOnce(options.dir, result)) return { result, fresh: true };
  // Someone else finished first (a retry of a job whose first run was slow, not dead): keep theirs.
  const winner = await readResult(options.dir, job.id);
  if (!winner) throw new Error(`job ${job.id}: result vanished after a concurrent write`);
  return { result: winner, fresh: false };
}
