import type { BackendName } from '../backend/loader.ts';
import { scanInspectors, type ScanInspectorSpec } from './scan-inspectors.ts';
import type { ExperimentConfig } from './config.ts';
import { modelSaver } from './model-saver.ts';
import { folderF0Cache } from './run-folder.ts';
import { runSeed, type RunHooks, type SeedResult } from './runner.ts';
import { runSeedInThread } from './seed-thread.ts';

export interface SeedPoolOptions {
  /** Seeds run at once; 1 runs in this thread (needed for inspectors and onModel hooks). */
  readonly jobs: number;
  readonly backend?: BackendName;
  readonly hooks?: RunHooks;
  readonly onSeedDone?: (result: SeedResult) => Promise<void>;
  /** Save models F<i> (i in `at`) of every seed into this run folder. */
  readonly saveModels?: { readonly dir: string; readonly at: readonly number[] | 'all' };
  /** Folder of the shared F0 cache (see folderF0Cache); none disables it. */
  readonly f0CacheDir?: string;
  /** Backdoor scans of chosen models (plain data, so worker threads build them too). */
  readonly scan?: ScanInspectorSpec;
}

/** Runs seeds, `jobs` at a time, each in a worker thread with its own backend. */
export async function runSeeds(
  config: ExperimentConfig,
  seeds: readonly number[],
  options: SeedPoolOptions,
): Promise<SeedResult[]> {
  const results: SeedResult[] = [];
  if (options.jobs <= 1 || seeds.length <= 1) {
    for (const seed of seeds) {
      const onModel = options.saveModels ? modelSaver(options.saveModels, seed) : undefined;
      const f0Cache = options.f0CacheDir ? folderF0Cache(options.f0CacheDir) : undefined;
      const inspectors = options.scan
        ? { ...options.hooks?.inspectors, ...scanInspectors(options.scan) }
        : options.hooks?.inspectors;
      const result = await runSeed(config, seed, { ...options.hooks, inspectors, onModel, f0Cache });
      await options.onSeedDone?.(result);
      results.push(result);
    }
    return results;
  }
  const queue = [...seeds];
  const lane = async (): Promise<void> => {
    for (let seed = queue.shift(); seed !== undefined; seed = queue.shift()) {
      const { backend, saveModels, f0CacheDir, scan } = options;
      const result = await runSeedInThread(
        { config, seed, backend, saveModels, f0CacheDir, scan },
        options.hooks?.onEvent,
      );
      await options.onSeedDone?.(result);
      results.push(result);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.jobs, seeds.length) }, lane));
  return results;
}
