import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import type { BackendName } from '../backend/loader.ts';
import { experimentConfigSchema } from '../experiment/config.ts';
import type { ExperimentEvent } from '../experiment/runner.ts';
import { runOrder, type RunOrderOptions, type SweepJob } from './plan.ts';
import { DEFAULT_QUEUE_NAME, DEFAULT_RETRY, type RetryPolicy } from './queue-defaults.ts';
import { experimentSteps } from '../experiment/steps.ts';
import { DeterministicJobError, processName, runJob } from './run-job.ts';
import { readResult, saveJobError } from './store.ts';

/**
 * Distributed sweeps on BullMQ (Redis). The enqueuer adds one BullMQ job per sweep job,
 * with the sweep job's id as BullMQ jobId (so enqueueing twice adds nothing); workers on
 * any machine pull jobs and write results into the shared sweep folder. A worker that dies
 * stops renewing its job's lock; BullMQ's stalled-job check then hands the job to another
 * worker. The folder's create-once result file makes a second finisher a no-op.
 */
export { DEFAULT_QUEUE_NAME, DEFAULT_RETRY, type RetryPolicy };

export const queueJobSchema = z.object({
  /** The sweep folder; relative paths are resolved against the worker's --root. */
  dir: z.string().min(1),
  id: z.string().min(1),
  experimentId: z.string().min(1),
  seed: z.number().int().min(0),
  config: experimentConfigSchema,
});
export type QueueJobData = z.input<typeof queueJobSchema>;

/** A Redis connection as BullMQ wants it (no per-request retry limit, for blocking calls). */
export function redisConnection(url: string): Redis {
  if (!/^rediss?:\/\//.test(url))
    throw new Error(`--queue must be a redis:// or rediss:// URL, got '${url}'`);
  return new Redis(url, { maxRetriesPerRequest: null });
}

/** BullMQ job ids: the sweep folder's uid keeps two folders of the same sweep apart. */
export const queueJobId = (sweepUid: string, id: string): string => `${sweepUid}-${id}`;

export interface EnqueueResult {
  readonly added: number;
  /** Already waiting, active or delayed from an earlier enqueue. */
  readonly alreadyQueued: number;
}

/**
 * Adds the pending jobs. A BullMQ job left completed or failed from an earlier round whose
 * result is not in the folder (deleted, or failed for good) is removed and added again.
 */
export async function enqueueJobs(
  queue: Queue,
  sweepUid: string,
  dir: string,
  jobs: readonly SweepJob[],
  retry: RetryPolicy = DEFAULT_RETRY,
  order: RunOrderOptions = {},
): Promise<EnqueueResult> {
  let added = 0;
  let alreadyQueued = 0;
  // BullMQ hands out jobs in FIFO order: one job per distinct F0 first (see runOrder).
  for (const job of runOrder(jobs, (j) => experimentSteps(j.config), order)) {
    const jobId = queueJobId(sweepUid, job.id);
    const existing = await queue.getJob(jobId);
    if (existing) {
      const state = await existing.getState();
      if (state === 'completed' || state === 'failed') await existing.remove();
      else if (state !== 'unknown') {
        alreadyQueued++;
        continue;
      }
    }
    const data: QueueJobData = {
      dir,
      id: job.id,
      experimentId: job.experimentId,
      seed: job.seed,
      config: job.config,
    };
    await queue.add('job', data, {
      jobId,
      attempts: retry.attempts,
      backoff: { type: 'exponential', delay: retry.backoffMs },
      removeOnComplete: false,
      removeOnFail: false,
    });
    added++;
  }
  return { added, alreadyQueued };
}

export interface WorkerOptions {
  readonly connection: Redis;
  readonly queueName?: string;
  /** Resolves relative sweep folders (default: the current directory). */
  readonly root?: string;
  readonly backend: BackendName;
  /** Jobs at once in this process (each in its own thread). */
  readonly concurrency?: number;
  /** How long a job stays locked without renewal before it counts as stalled (BullMQ default 30 s). */
  readonly lockMs?: number;
  /** How often this worker looks for stalled jobs (default: lockMs). */
  readonly stalledMs?: number;
  readonly log?: (line: string) => void;
}

/** Progress published on the BullMQ job, read by `permanence sweep --queue` for its display. */
export interface QueueJobProgress {
  readonly model: number;
  readonly step: number;
  readonly total: number;
}

/** Starts a BullMQ worker that runs sweep jobs; close it to leave (it finishes its jobs first). */
export function startSweepWorker(options: WorkerOptions): Worker {
  const log = options.log ?? (() => undefined);
  const root = options.root ?? process.cwd();
  const lockMs = options.lockMs ?? 30_000;
  const name = processName();
  const processor = async (bjob: Job): Promise<{ worker: string; fresh: boolean; attempt: number }> => {
    const data = queueJobSchema.parse(bjob.data);
    const dir = isAbsolute(data.dir) ? data.dir : resolve(root, data.dir);
    const attempt = bjob.attemptsStarted || bjob.attemptsMade + 1;
    log(`start ${data.id} (attempt ${attempt}, stalled ${bjob.stalledCounter ?? 0})`);
    let last = 0;
    const onEvent = (event: ExperimentEvent): void => {
      // Throttled: a Redis write per optimiser step would cost more than the step.
      if (event.type !== 'train:progress' || Date.now() - last < 1000) return;
      last = Date.now();
      const p: QueueJobProgress = {
        model: event.index,
        step: event.progress.step,
        total: event.progress.totalSteps,
      };
      void bjob.updateProgress({ ...p }).catch(() => undefined);
    };
    try {
      const { result, fresh } = await runJob(
        { id: data.id, experimentId: data.experimentId, seed: data.seed, config: data.config },
        { dir, backend: options.backend, worker: name, attempt, onEvent },
      );
      log(
        `${fresh ? 'done' : 'already done'} ${data.id} (${result.run.seconds.toFixed(1)} s, by ${result.run.worker})`,
      );
      return { worker: result.run.worker, fresh, attempt };
    } catch (error) {
      const message = (error as Error).message;
      log(`failed ${data.id}: ${message}`);
      await saveJobError(dir, data.id, { message, worker: name, attempt }).catch(() => undefined);
      throw error instanceof DeterministicJobError ? new UnrecoverableError(message) : error;
    }
  };
  return new Worker(options.queueName ?? DEFAULT_QUEUE_NAME, processor, {
    connection: options.connection,
    concurrency: options.concurrency ?? 1,
    lockDuration: lockMs,
    stalledInterval: options.stalledMs ?? lockMs,
    // A job that stalls twice (two workers died on it) is failed; a retry attempt follows if left.
    maxStalledCount: 2,
    name,
  });
}

export interface QueueStatus {
  readonly done: number;
  readonly failed: number;
  readonly active: readonly { id: string; progress: QueueJobProgress | null }[];
}

/** Where the given jobs stand: completed ones (result in the folder or BullMQ), final failures, running ones. */
export async function queueStatus(
  queue: Queue,
  sweepUid: string,
  dir: string | null,
  jobs: readonly SweepJob[],
): Promise<QueueStatus> {
  let done = 0;
  let failed = 0;
  const active: { id: string; progress: QueueJobProgress | null }[] = [];
  for (const job of jobs) {
    if (dir && (await readResult(dir, job.id))) {
      done++;
      continue;
    }
    const bjob = await queue.getJob(queueJobId(sweepUid, job.id));
    const state = bjob ? await bjob.getState() : 'unknown';
    if (state === 'completed') done++;
    else if (state === 'failed') failed++;
    else if (state === 'active' && bjob) {
      const p = bjob.progress;
      active.push({
        id: job.id,
        progress: typeof p === 'object' && p !== null && 'step' in p ? (p as QueueJobProgress) : null,
      });
    }
  }
  return { done, failed, active };
}
