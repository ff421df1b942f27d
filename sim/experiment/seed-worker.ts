// Runs one seed in a worker thread with its own backend instance, so two seeds use both cores.
import { workerData } from 'node:worker_threads';
import { loadBackend } from '../backend/loader.ts';
import { serveThreadTask } from '../thread-task.ts';
import { modelSaver } from './model-saver.ts';
import { folderF0Cache } from './run-folder.ts';
import { runSeed, type ExperimentEvent, type SeedResult } from './runner.ts';
import { scanInspectors } from './scan-inspectors.ts';
import type { SeedJob } from './seed-thread.ts';

// Outside the task: a backend that fails to load is the machine's fault, not the job's.
await loadBackend({ backend: (workerData as SeedJob).backend, log: () => undefined });
await serveThreadTask<SeedJob, SeedResult, ExperimentEvent>(
  ({ config, seed, saveModels, f0CacheDir, scan }, onEvent) =>
    runSeed(config, seed, {
      onEvent,
      onModel: saveModels ? modelSaver(saveModels, seed) : undefined,
      f0Cache: f0CacheDir ? folderF0Cache(f0CacheDir) : undefined,
      inspectors: scan ? scanInspectors(scan) : undefined,
    }),
);
