import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createImageSet } from '../../sim/data/image-set.ts';
import { applyDrift, describeDrift, parseDrift } from '../../sim/drift/apply.ts';
import { assertClose } from './helpers.ts';

test('parseDrift reads one or more kind:step pairs', () => {
  // Rotation records its interpolation; nearest is torchvision's default.
  assert.deepEqual(parseDrift('rotate:4'), [{ kind: 'rotate', step: 4, interpolation: 'nearest' }]);
  assert.deepEqual(parseDrift('rotate:4:bilinear'), [{ kind: 'rotate', step: 4, interpolation: 'bilinear' }]);
  assert.deepEqual(parseDrift('hue:0.02, brightness:-0.05'), [
    { kind: 'hue', step: 0.02 },
    { kind: 'brightness', step: -0.05 },
  ]);
  assert.deepEqual(parseDrift(''), []);
});

test('parseDrift rejects unknown kinds and bad numbers', () => {
  assert.throws(() => parseDrift('shear:3'), /unknown drift kind 'shear'/);
  assert.throws(() => parseDrift('rotate:abc'), /numeric step/);
  assert.throws(() => parseDrift('rotate'), /numeric step/);
  assert.throws(() => parseDrift('rotate:'), /numeric step/);
  assert.throws(() => parseDrift('hue:0.1:2'), /'hue' takes no interpolation/);
  assert.throws(() => parseDrift('rotate:4:bicubic'), /nearest, bilinear, got 'bicubic'/);
  assert.throws(() => parseDrift('rotate:4:nearest:x'), /numeric step, e.g. 'rotate:4'/);
});

test('describeDrift names kind, step and unit', () => {
  assert.equal(describeDrift([]), 'no drift');
  assert.equal(describeDrift(parseDrift('rotate:4')), 'rotate 4 degrees/step (nearest)');
  assert.equal(describeDrift(parseDrift('hue:0.02'), 15), 'hue 0.02 turns/step (step 15: 0.3)');
});

const pixelSet = (rgb: number[]) =>
  createImageSet({ height: 1, width: 1, channels: 3 }, Float32Array.from(rgb), Int32Array.from([3]), 10);

test('applyDrift at step 0 returns an equal copy', () => {
  const set = pixelSet([0.2, 0.4, 0.6]);
  const out = applyDrift(set, parseDrift('hue:0.1,brightness:0.5'), 0);
  assert.notEqual(out.images, set.images);
  assert.deepEqual(Array.from(out.images), Array.from(set.images));
  assert.deepEqual(Array.from(out.labels), [3]);
});

test('applyDrift scales the amount by the step index and composes in order', () => {
  const set = pixelSet([0.5, 0, 0]);
  // Hue 3 x 0.1 = 0.3 turn: h*6 = 1.8, sector 1 (q, v, p), q = v (1 - f) = 0.5 * 0.2 = 0.1.
  // Then brightness factor 1 + 3 x 0.5 = 2.5: (0.25, 1.25 -> 1, 0).
  const out = applyDrift(set, parseDrift('hue:0.1,brightness:0.5'), 3);
  assertClose(out.images, [0.25, 1, 0], 1e-6);
  assert.deepEqual(Array.from(set.images), [0.5, 0, 0], 'input untouched');
});

test('brightness and saturation factors 1 + i p are floored at 0', () => {
  const set = pixelSet([0.5, 0.2, 0.1]);
  assertClose(applyDrift(set, parseDrift('brightness:-0.5'), 3).images, [0, 0, 0]);
  const gray = 0.2989 * 0.5 + 0.587 * 0.2 + 0.114 * 0.1;
  assertClose(applyDrift(set, parseDrift('saturation:-0.5'), 3).images, [gray, gray, gray], 1e-6);
});
