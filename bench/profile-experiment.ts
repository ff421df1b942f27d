/**
 * Where one protocol seed's time goes: node --import tsx bench/profile-experiment.ts
 * [--seed N] [--f0-epochs N] [--updates N]. Runs the seed bench:experiment times (runSeed,
 * the protocol's defaults) and splits its wall time by the runner's events into F0
 * training, update training, evaluation after each model, the static baseline and the rest
 * (data loading, drift, poisoning).
 */
import { parseArgs } from 'node:util';
import os from 'node:os';
import { loadBackend } from '../sim/backend/loader.ts';
import { parseExperimentConfig } from '../sim/experiment/config.ts';
import { runSeed, type ExperimentEvent } from '../sim/experiment/runner.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '0' },
    'f0-epochs': { type: 'string', default: '40' },
    updates: { type: 'string', default: '15' },
  },
});
const config = parseExperimentConfig({
  f0: { epochs: Number(values['f0-epochs']), batchSize: 512, schedule: 'stlr:0.5' },
  update: { epochs: 5, batchSize: 64, schedule: 'sgd:0.01' },
  updates: Number(values.updates),
  seeds: [Number(values.seed)],
});
await loadBackend();

const phases = { data: 0, f0: 0, updates: 0, evaluation: 0, staticBaseline: 0 };
let last = performance.now();
const lap = (): number => {
  const now = performance.now();
  const ms = now - last;
  last = now;
  return ms;
};
const onEvent = (e: ExperimentEvent): void => {
  if (e.type === 'train:start') {
    // Since the previous model: the static baseline after F0 (with drifting the test sets
    // and update 1's data), else the next experience's data.
    const ms = lap();
    if (e.index === 1 && config.staticBaseline) phases.staticBaseline += ms;
    else phases.data += ms;
  } else if (e.type === 'model:evaluated') {
    const total = lap();
    const trainMs = e.record.train.seconds * 1000;
    phases[e.record.index === 0 ? 'f0' : 'updates'] += trainMs;
    // Poisoning the experience's data falls here too (it happens inside the update step).
    phases.evaluation += total - trainMs;
  } else if (e.type === 'seed:done') {
    phases.data += lap();
  }
};
const started = performance.now();
await runSeed(config, Number(values.seed), { onEvent });
const wall = performance.now() - started;
console.log(
  `one protocol seed: ${(wall / 1000).toFixed(1)} s wall, load average ${os.loadavg()[0].toFixed(1)}`,
);
for (const [name, ms] of Object.entries(phases)) {
  console.log(
    `${name.padEnd(16)} ${(ms / 1000).toFixed(2).padStart(8)} s ${((100 * ms) / wall).toFixed(1).padStart(6)}%`,
  );
}
