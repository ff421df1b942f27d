/**
 * Times a full 10-label scan of a saved model (issue 4 target: NC < 2 min, TABOR < 3 min on
 * 2 cores). Usage: node --import tsx bench/scan-speed.ts <model.bin> [nc|tabor|both] [samples] [maxEpochs] [batch] [patience]
 */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { loadBackend } from '../sim/backend/loader.ts';
import { loadDataset } from '../sim/data/registry.ts';
import { NC_COST_DEFAULTS, getDefense, parseDefenseList } from '../sim/defenses/index.ts';
import { deserializeModel } from '../sim/models/index.ts';

const [path, which = 'both', samples = '200', maxEpochs = '30', batch = '20', patience = '5'] = process.argv.slice(2);
if (!path) {
  console.error('usage: bench/scan-speed.ts <model.bin> [nc|tabor|both] [samples] [maxEpochs] [batch] [patience]');
  process.exit(2);
}
const backend = await loadBackend();
const model = deserializeModel(new Uint8Array(await readFile(path)));
const seed = Number(/seed-(\d+)/.exec(path)?.[1] ?? 0);
const { test } = loadDataset('mnist', seed);
for (const name of parseDefenseList(which)) {
  const before = tf.memory().numTensors;
  const t0 = performance.now();
  const result = await getDefense(name).scan(model, test, {
    samples: Number(samples),
    maxEpochs: Number(maxEpochs),
    batchSize: Number(batch),
    cost: { ...NC_COST_DEFAULTS, patience: Number(patience), earlyStopPatience: 2 * Number(patience) },
    onEpoch: (epoch, active) => {
      if (process.env.SCAN_VERBOSE) console.error(`epoch ${epoch}: ${active.length} labels running, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    },
  });
  const leaked = tf.memory().numTensors - before;
  console.log(
    `${name}: ${result.seconds.toFixed(1)} s, backend ${backend.name}, samples ${result.budget.samples}, batch ${result.budget.batchSize}, ` +
      `max epochs ${result.budget.maxEpochs}, steps ${result.budget.steps}; model index ${result.modelIndex.toFixed(2)} ` +
      `(label ${result.anomaly.suspect}), flagged ${result.flagged}; leaked tensors ${leaked}`,
  );
  for (const l of result.labels) {
    console.log(
      `  ${l.label}: norm ${l.norm.toFixed(1)} asr ${l.asr.toFixed(3)} met ${l.metThreshold} epochs ${l.epochs} index ${l.anomalyIndex.toFixed(2)}`,
    );
  }
}
model.dispose();
