/**
 * Runs one seed in a worker thread (seed-worker.ts) with its own backend, relaying its
 * events: the one typed helper behind `permanence run --jobs` and the sweep's job runner.
 */
import type { BackendName } from '../backend/loader.ts';
import { startTsWorker } from '../ts-worker.ts';
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

export type SeedMessage =
  | { kind: 'event'; event: ExperimentEvent }
  | { kind: 'done'; result: SeedResult }
  | { kind: 'error'; message: string };

/** The experiment itself threw in the thread (e.g. training diverged); a crash is a plain Error. */
export class SeedFailedError extends Error {}

export function runSeedInThread(
  job: SeedJob,
  onEvent: ((event: ExperimentEvent) => void) | undefined,
): Promise<SeedResult> {
  return new Promise((resolve, reject) => {
    const thread = startTsWorker(new URL('./seed-worker.ts', import.meta.url), { ...job });
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      fn();
      void thread.terminate();
    };
    thread.on('message', (m: SeedMessage) => {
      if (m.kind === 'event') onEvent?.(m.event);
      else if (m.kind === 'done') settle(() => resolve(m.result));
      else settle(() => reject(new SeedFailedError(m.message)));
    });
    thread.on('error', (error) => settle(() => reject(error)));
    thread.on('exit', (code) =>
      settle(() => reject(new Error(`seed ${job.seed}: thread exited with code ${code}`))),
    );
  });
}
