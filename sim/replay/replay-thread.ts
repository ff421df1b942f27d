/**
 * Runs one replay in a worker thread (replay-worker.ts) with its own backend: the CLI's
 * --compare runs one per policy at once on the cores, and the service runs its replay jobs
 * there at a low priority, off the threads that train and answer /predict.
 */
import type { BackendName } from '../backend/loader.ts';
import { runInThread } from '../thread-task.ts';
import type { ReplayProgress, ReplayResult } from './engine.ts';
import type { ReplayHistory } from './history.ts';

/** What replay-worker.ts reads from its workerData (plain data: it crosses the thread boundary). */
export interface ReplayJob {
  readonly history: { name: string; versions: ReplayHistory['versions']; bases: [number, Uint8Array][] };
  readonly policy: string;
  readonly campaign?: string;
  readonly gamma?: number;
  readonly backend?: BackendName;
  /** Nice value of the worker thread (Linux: per thread), e.g. 15 beside a live service. */
  readonly nice?: number;
}

export interface ReplayThreadOptions {
  readonly campaign?: string;
  readonly gamma?: number;
  readonly backend?: BackendName;
  readonly nice?: number;
  readonly onProgress?: (p: ReplayProgress) => void;
  readonly signal?: AbortSignal;
}

export function replayInThread(
  history: ReplayHistory,
  policy: string,
  options: ReplayThreadOptions = {},
): Promise<ReplayResult> {
  const job: ReplayJob = {
    history: { name: history.name, versions: history.versions, bases: [...history.bases] },
    policy,
    campaign: options.campaign,
    gamma: options.gamma,
    backend: options.backend,
    nice: options.nice,
  };
  return runInThread<ReplayResult, ReplayProgress>(
    new URL('./replay-worker.ts', import.meta.url),
    { job },
    {
      label: `replay ${policy}`,
      onProgress: options.onProgress,
      signal: options.signal,
    },
  );
}
