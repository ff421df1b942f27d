/**
 * Times a full 10-label scan of a saved model (target: NC < 2 min, TABOR < 3 min on
 * 2 cores) at the default budget, or at the one given.
 * Usage: node --import tsx bench/scan-speed.ts <model.bin> [nc|tabor|both] [samples] [maxEpochs] [batch]
 * SCAN_VERBOSE=1 prints every epoch.
 */
import { readFile } from 'node:fs/promises';
import { loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { loadBackend } from '../sim/backend/loader.ts';
import { loadDataset } from '../sim/data/registry.ts';
import { DEFAULT_SCAN_OPTIONS, getDefense, parseDefenseList } from '../sim/defenses/index.ts';
import { deserializeModel } from '../sim/models/index.ts';

const [path, which = 'both', samples, maxEpochs, batch] = process.argv.slice(2);
if (!path) {
  console.error('usage: bench/scan-speed.ts <model.bin> [nc|tabor|both] [samples] [maxEpochs] [batch]');
  process.exit(2);
}
const backend = await loadBackend({ log: () => undefined });
const model = deserializeModel(new Uint8Array(await readFile(path)));
const seed = Number(/seed-(\d+)/.exec(path)?.[1] ?? 0);
const { test } = loadDataset('mnist', seed);
for (const name of parseDefenseList(which)) {
  const before = tf.memory().numTensors;
  const t0 = performance.now();
  const result = await getDefense(name).scan(model, test, {
    samples: Number(samples ?? DEFAULT_SCAN_OPTIONS.samples),
    maxEpochs: Number(maxEpochs ?? DEFAULT_SCAN_OPTIONS.maxEpochs),
    batchSize: Number(batch ?? DEFAULT_SCAN_OPTIONS.batchSize),
    onEpoch: (epoch, active) => {
      if (process.env.SCAN_VERBOSE) {
        console.error(
          `epoch ${epoch}: ${active.length} labels running, ${((performance.now() - t0) / 1000).toFixed(1)} s`,
        );
      }
    },
  });
  const leaked = tf.memory().numTensors - before;
  console.log(
    `${name}: ${result.seconds.toFixed(1)} s on ${backend.name} (load average ${loadavg()[0].toFixed(1)}); ` +
      `budget ${result.budget.samples} images, batch ${result.budget.batchSize}, <= ${result.budget.maxEpochs} epochs, ` +
      `${result.budget.steps} label-steps; index ${result.modelIndex.toFixed(2)} (label ${result.anomaly.suspect}), ` +
      `flagged ${result.flagged}; leaked tensors ${leaked}`,
  );
}
model.dispose();
