import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { createTrigger, poisonSet } from '../../sim/attacks/index.ts';
import { loadBackend } from '../../sim/backend/loader.ts';
import { exportTwinInputs, type TwinInputs } from '../../sim/crosscheck/export.ts';
import { torchStateDict, type TorchStateDict } from '../../sim/crosscheck/torch-layout.ts';
import { mnistDigitsDir, runTwinTraining, type TwinOverrides } from '../../sim/crosscheck/twin.ts';
import { subset } from '../../sim/data/image-set.ts';
import { loadMnist } from '../../sim/data/mnist.ts';
import { applyDrift } from '../../sim/drift/index.ts';
import { parseExperimentConfig, type ExperimentConfig } from '../../sim/experiment/config.ts';
import { createModel, defaultModelSpec } from '../../sim/models/index.ts';
import { createRng } from '../../sim/rng.ts';
import { train } from '../../sim/train/trainer.ts';

/**
 * Permanence against the PyTorch twin (crosscheck/twin.py) at CI scale: 256 D0 images with
 * BadNets 10%, F0 for 8 steps (2 epochs at batch 64), then an update on the 256-image pool
 * rotated 4 degrees for 6 steps (batch 48, so the last batch is short), from the same
 * weights on the same batches. The reference trains in float64. The tfjs-ops path stays
 * within 1e-6 of it; torch's own float32 run drifts up to 1e-4 away at STLR's lr 0.5
 * (docs/crosscheck.md), and so does the native training step, which rounds like any float32
 * code. The bar is TOLERANCE (10x the tfjs path's largest distance, 6e-7) or 3x torch
 * float32's distance from float64 in the same case, whichever is larger; each negative
 * control (one detail of the protocol changed in the twin, in float32) must land more than
 * 10x the bar away.
 */
const TOLERANCE = 6e-6;

const SIZES = { d0: 256, pool: 256, test: 64 };

function scaled(f0Schedule: string, updateSchedule: string): ExperimentConfig {
  return parseExperimentConfig({
    attack: { kind: 'badnets' },
    updates: 1,
    f0: { epochs: 2, batchSize: 64, schedule: f0Schedule },
    update: { epochs: 1, batchSize: 48, schedule: updateSchedule },
    seeds: [0],
  });
}

/** Permanence's weights after F0 and the first update, built the way runSeed builds them. */
async function permanenceWeights(config: ExperimentConfig, inputs: TwinInputs): Promise<TorchStateDict> {
  const mnist = loadMnist();
  const d0 = subset(mnist, inputs.split.d0);
  const pool = subset(mnist, inputs.split.pool);
  if (!config.attack) throw new Error('the test needs an attack');
  const trigger = createTrigger(config.attack, d0);
  const poisoned = poisonSet(d0, trigger, {
    ratio: config.poisonRatio,
    target: config.target,
    rng: createRng('poison:0:0'),
  });
  assert.deepEqual(Array.from(poisoned.poisoned), inputs.trainings[0]?.poisoned);
  const model = createModel(defaultModelSpec('small-cnn', d0, 10), 0);
  try {
    await train(model, poisoned.set, { ...config.f0, seed: '0:0' });
    await train(model, applyDrift(pool, config.drift, 1), { ...config.update, seed: '0:1' });
    return torchStateDict(model);
  } finally {
    model.dispose();
  }
}

/** The largest absolute difference over all tensors, and the tensor it is in. */
function distance(a: TorchStateDict, b: TorchStateDict): { max: number; at: string } {
  let max = 0;
  let at = '';
  for (const [name, t] of Object.entries(a)) {
    const other = b[name];
    assert.ok(other, `twin lacks ${name}`);
    assert.deepEqual(other.shape, t.shape, name);
    for (let i = 0; i < t.data.length; i++) {
      const d = Math.abs(t.data[i] - other.data[i]);
      if (d > max || Number.isNaN(d)) {
        max = Number.isNaN(d) ? Infinity : d;
        at = name;
      }
    }
  }
  return { max, at };
}

const CONTROLS: Readonly<Record<string, TwinOverrides>> = {
  'no weight decay': { weightDecay: 0 },
  'BatchNorm momentum 0.2': { bnMomentum: 0.2 },
  'momentum 0.8': { momentum: 0.8 },
  'momentum kept across calls': { keepMomentum: true },
  'short last batch dropped': { dropLast: true },
  'STLR steps from 0': { stlrFrom0: true },
};

const CASES = [
  ['stlr:0.5', 'sgd:0.01'],
  ['sgd:0.01', 'stlr:0.5'],
] as const;

describe('Permanence matches the PyTorch twin step by step', () => {
  const names = Object.keys(CONTROLS);
  let twins: Promise<Awaited<ReturnType<typeof runTwinTraining>>>[] = [];
  let inputs: TwinInputs[] = [];

  before(async () => {
    await loadBackend({ log: () => undefined });
    inputs = CASES.map(([f0, update]) =>
      exportTwinInputs(scaled(f0, update), 0, { mnistDigitsDir: mnistDigitsDir(), sizes: SIZES }),
    );
    // The twins run in their own processes while Permanence trains.
    twins = inputs.map((input) =>
      runTwinTraining(input, [0, 1], [{ float64: true }, {}, ...names.map((n) => CONTROLS[n] ?? {})]),
    );
    for (const twin of twins) twin.catch(() => undefined);
  });

  CASES.forEach(([f0Schedule, updateSchedule], k) => {
    test(`F0 ${f0Schedule}, update ${updateSchedule}: weights as close to float64 torch as float32 torch is`, async () => {
      const input = inputs[k];
      const twin = twins[k];
      assert.ok(input && twin);
      const ours = await permanenceWeights(scaled(f0Schedule, updateSchedule), input);
      const [reference, torch32, ...controls] = (await twin).variants.map((v) => v.weights);
      assert.ok(reference && torch32);
      // At STLR's lr 0.5 float32 rounding alone moves torch's own weights up to ~1e-4 from
      // float64 (docs/crosscheck.md); Permanence's native step rounds like any float32 code,
      // so the bar is TOLERANCE or 3x torch float32's own distance, whichever is larger.
      const floor = distance(torch32, reference).max;
      const tolerance = Math.max(TOLERANCE, 3 * floor);
      const d = distance(ours, reference);
      assert.ok(
        d.max <= tolerance,
        `max |Permanence - torch| = ${d.max} in ${d.at} (torch float32 is ${floor} from float64)`,
      );
      controls.forEach((weights, i) => {
        const c = distance(ours, weights);
        assert.ok(c.max > 10 * tolerance, `control '${names[i]}' is only ${c.max} away (in ${c.at})`);
      });
    });
  });
});
