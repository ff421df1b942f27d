// Runs one seed in a worker thread with its own backend instance, so two seeds use both cores.
import { parentPort, workerData } from 'node:worker_threads';
import { loadBackend } from '../backend/loader.ts';
import { modelSaver } from './model-saver.ts';
import { folderF0Cache } from './run-folder.ts';
import { runSeed } from './runner.ts';
import { scanInspectors } from './scan-inspectors.ts';
import type { SeedJob, SeedMessage } from './seed-thread.ts';

const port = parentPort;
if (!port) throw new Error('seed-worker must run in a worker thread');
const { config, seed, backend, saveModels, f0CacheDir, scan } = workerData as SeedJob;
const post = (message: SeedMessage) => port.postMessage(message);
await loadBackend({ backend, log: () => undefined });
try {
  const result = await runSeed(config, seed, {
    onEvent: (event) => post({ kind: 'event', event }),
    onModel: saveModels ? modelSaver(saveModels, seed) : undefined,
    f0Cache: f0CacheDir ? folderF0Cache(f0CacheDir) : undefined,
    inspectors: scan ? scanInspectors(scan) : undefined,
  });
  post({ kind: 'done', result });
} catch (error) {
  post({ kind: 'error', message: (error as Error).message });
}
