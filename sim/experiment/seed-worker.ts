// Runs one seed in a worker thread with its own backend instance, so two seeds use both cores.
import { parentPort, workerData } from 'node:worker_threads';
import { loadBackend, type BackendName } from '../backend/loader.ts';
import { scanInspectors, type ScanInspectorSpec } from '../defenses/inspector.ts';
import type { ExperimentConfig } from './config.ts';
import { modelSaver, type ModelSaveOptions } from './model-saver.ts';
import { folderF0Cache } from './run-folder.ts';
import { runSeed } from './runner.ts';

const { config, seed, backend, saveModels, f0CacheDir, scan } = workerData as {
  config: ExperimentConfig;
  seed: number;
  backend?: BackendName;
  saveModels?: ModelSaveOptions;
  f0CacheDir?: string;
  scan?: ScanInspectorSpec;
};
const port = parentPort;
if (!port) throw new Error('seed-worker must run in a worker thread');
await loadBackend({ backend, log: () => undefined });
try {
  const result = await runSeed(config, seed, {
    onEvent: (event) => port.postMessage({ kind: 'event', event }),
    onModel: saveModels ? modelSaver(saveModels, seed) : undefined,
    f0Cache: f0CacheDir ? folderF0Cache(f0CacheDir) : undefined,
    inspectors: scan ? scanInspectors(scan) : undefined,
  });
  port.postMessage({ kind: 'done', result });
} catch (error) {
  port.postMessage({ kind: 'error', message: (error as Error).message });
}
