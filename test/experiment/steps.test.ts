import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseExperimentConfig } from '../../sim/experiment/config.ts';
import { experimentSteps } from '../../sim/experiment/steps.ts';

test('experimentSteps counts F0 and every update from the data set split', () => {
  // F0: ceil(4000 / 128) = 32 steps x 12 epochs = 384; an update: ceil(4000 / 64) = 63 x 5 = 315.
  assert.equal(experimentSteps(parseExperimentConfig({})), 384 + 15 * 315);
  assert.equal(experimentSteps(parseExperimentConfig({}), false), 15 * 315);
  // A pool subset of 1000: ceil(1000 / 64) = 16 x 5 = 80 per update.
  assert.equal(experimentSteps(parseExperimentConfig({ poolSubset: 1000 })), 384 + 15 * 80);
  // CIFAR-10 halves of 25,000: F0 ceil(25000 / 128) = 196 x 12; updates ceil(25000 / 64) = 391 x 5.
  assert.equal(
    experimentSteps(parseExperimentConfig({ dataset: 'cifar10:data/cifar' })),
    196 * 12 + 15 * 391 * 5,
  );
});
