/**
 * Runs one seed in a worker thread (seed-worker.ts) with its own backend, relaying its
 * events: the one typed helper behind `permanence run --jobs` and the sweep's job runner.
 */
import type { BackendName } from '../backend/loader.ts';
import { runInThread } from '../thread-task.ts';
import type { ExperimentConfig } from './config.ts';
import type { ModelSaveOptions } from './model-saver.ts';
import type { ExperimentEvent, SeedResult } from './runner.ts';
import type { ScanInspectorSpec } from './scan-inspectors.ts';

/** What seed-worker.ts reads from its workerData (plain data: it crosses the thread boundary). */
export interface SeedJob {
  readonly config: ExperimentConfig;
  readonly seed: number;
  readonly backend?: BackendName;
  readonly saveModels?: ModelSaveOptions;
  readonly f0CacheDir?: string;
  readonly scan?: ScanInspectorSpec;
}

/** Rejects with a TaskFailedError when the experiment throws (e.g. training diverged). */
export function runSeedInThread(
  job: SeedJob,
  onEvent: ((event: ExperimentEvent) => void) | undefined,
): Promise<SeedResult> {
  return runInThread<SeedResult, ExperimentEvent>(
    new URL('./seed-worker.ts', import.meta.url),
    { ...job },
    {
      label: `seed ${job.seed}`,
      onProgress: onEvent,
    },
  );
}
