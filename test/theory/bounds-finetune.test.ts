import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRng } from '../../sim/rng.ts';
import {
  firstCheckpointBelow,
  firstIterationWithin,
  lemmaDistanceBound,
  mixStrongConvexity,
  theoremDistance,
  theoremIterations,
} from '../../sim/theory/bounds.ts';
import { globalSmoothness, hessianExtremes, invarianceCurvature } from '../../sim/theory/constants.ts';
import { finetune, logCheckpoints, offsetForFirstStep, stepSize } from '../../sim/theory/finetune.ts';
import { sampleSet } from '../../sim/theory/samples.ts';

const close = (a: number, b: number, tol = 1e-9): void =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} != ${b}`);

test('section 4 bounds on hand values', () => {
  const c = { sigmaP: 2, sigmaB: 1 };
  // sigma_mix = 0.1 * 2 + 0.9 * 1 = 1.1.
  close(mixStrongConvexity(0.1, c), 1.1);
  // Lemma 4.2: 0.1 * 11 / 1.1 = 1.
  close(lemmaDistanceBound(0.1, 11, c), 1);
  // Theorem 4.3: 0.1 * 11 / (0.5 * 1.1) = 2 iterations; after 4 iterations the distance is 0.25.
  close(theoremIterations(0.1, 11, 0.5, c), 2);
  close(theoremDistance(0.1, 11, 4, c), 0.25);
  assert.throws(() => mixStrongConvexity(1.5, c), /alpha/);
  assert.equal(firstIterationWithin([3, 2, 0.9, 1.2, 0.4], 1), 2);
  assert.equal(firstIterationWithin([3, 2], 1), null);
  const curve = [
    { t: 0, asr: 0.99 },
    { t: 10, asr: 0.6 },
    { t: 30, asr: 0.2 },
  ];
  assert.equal(firstCheckpointBelow(curve, 0.5), 30);
  assert.equal(firstCheckpointBelow(curve, 0.1), null);
});

test('the constants of a one-sample problem with a known Hessian', () => {
  // x = (1, 2), 2 classes, logits (ln 3, 0): H = 3/16 [[1, -1], [-1, 1]] (x) x~ x~^T + lambda I
  // with x~ = (1, 2, 1), so its eigenvalues are lambda + 2 * 3/16 * 6 = lambda + 9/4 and lambda (x5).
  const lambda = 0.3;
  const objective = { data: sampleSet([1, 2], [0], 2, 2), lambda };
  const theta = Float64Array.from([0, 0, 0, 0, Math.log(3), 0]);
  const budget = { maxIterations: 500, tol: 1e-13 };
  const { largest, smallest } = hessianExtremes(theta, objective, createRng(1), budget);
  close(largest.value, lambda + 9 / 4, 1e-8);
  close(smallest.value, lambda, 1e-8);
  // Global smoothness: lambda + ||x~||^2 / 2 = lambda + 3 >= the local lambda + 9/4.
  close(globalSmoothness(objective.data, lambda, createRng(2), budget), lambda + 3, 1e-8);
  close(invarianceCurvature(theta, objective, createRng(3)), lambda, 1e-12);
});

test('step sizes: 1/(sigma (t + offset)) and constant', () => {
  close(stepSize({ kind: 'inverse-t', sigma: 0.01, offset: 0 }, 4), 25);
  close(stepSize({ kind: 'inverse-t', sigma: 0.01, offset: 199 }, 1), 0.5);
  close(offsetForFirstStep(0.01, 0.5), 199);
  assert.equal(stepSize({ kind: 'constant', lr: 0.3 }, 7), 0.3);
  assert.deepEqual(logCheckpoints(100, 3), [0, 1, 10, 100]);
});

test('1/(lambda t) erases a weight the clean data never uses at step 1; a constant lr only shrinks it', () => {
  // Feature 1 is zero in every clean sample, like the BadNets corner on MNIST: its weights
  // feel only the L2 term, so they scale by (1 - eta_t lambda) per step.
  const lambda = 0.5;
  const clean = { data: sampleSet([1, 0, -1, 0, 2, 0], [0, 1, 0], 2, 2), lambda };
  const start = Float64Array.from([0.1, -0.2, 3, -4, 0, 0]);
  const run = (schedule: Parameters<typeof finetune>[0]['schedule'], iterations: number): Float64Array =>
    finetune({
      start,
      objective: clean,
      schedule,
      iterations,
      batchSize: 2,
      rng: createRng(5),
      reference: new Float64Array(6),
      checkpoints: [],
      asrSet: clean.data,
      testSet: clean.data,
    }).final;
  const reset = run({ kind: 'inverse-t', sigma: lambda, offset: 0 }, 1);
  assert.ok(Math.abs(reset[2]) < 1e-12 && Math.abs(reset[3]) < 1e-12, `${reset[2]}, ${reset[3]}`);
  const constant = run({ kind: 'constant', lr: 0.1 }, 3);
  close(constant[2], 3 * 0.95 ** 3, 1e-12);
  close(constant[3], -4 * 0.95 ** 3, 1e-12);
});
