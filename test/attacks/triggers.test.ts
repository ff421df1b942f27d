import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blendKey } from '../../sim/attacks/blend.ts';
import { createTrigger } from '../../sim/attacks/registry.ts';
import { cubicWeights, upsampleBicubic } from '../../sim/attacks/wanet.ts';
import { createRng } from '../../sim/rng.ts';

const mnistShape = { height: 28, width: 28, channels: 1 };
const cifarShape = { height: 32, width: 32, channels: 3 };

function randomImage(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng.next());
}

test('badnets default: white 3x3 patch at rows/cols 24-26 on 28x28, rest untouched', () => {
  const trigger = createTrigger({ kind: 'badnets' }, mnistShape);
  assert.deepEqual(trigger.config, { kind: 'badnets', size: 3, value: 1 });
  const image = new Float32Array(784).fill(0.25);
  const out = trigger.stamp(image, mnistShape);
  for (let r = 0; r < 28; r++) {
    for (let c = 0; c < 28; c++) {
      const inPatch = r >= 24 && r <= 26 && c >= 24 && c <= 26;
      assert.equal(out[r * 28 + c], inPatch ? 1 : 0.25, `pixel (${r}, ${c})`);
    }
  }
  assert.equal(image[26 * 28 + 26], 0.25, 'input not modified');
});

test('badnets default on 32x32x3: 4x4 patch at rows/cols 27-30 in all channels', () => {
  const trigger = createTrigger({ kind: 'badnets' }, cifarShape);
  const out = trigger.stamp(new Float32Array(32 * 32 * 3), cifarShape);
  let white = 0;
  for (let i = 0; i < out.length; i++) if (out[i] === 1) white++;
  assert.equal(white, 4 * 4 * 3);
  assert.deepEqual(Array.from(out.subarray((27 * 32 + 27) * 3, (27 * 32 + 27) * 3 + 3)), [1, 1, 1]);
  assert.deepEqual(Array.from(out.subarray((30 * 32 + 30) * 3, (30 * 32 + 30) * 3 + 3)), [1, 1, 1]);
  assert.equal(out[(31 * 32 + 31) * 3], 0, 'one-pixel margin');
  assert.equal(out[(26 * 32 + 27) * 3], 0);
});

test('badnets size and value knobs', () => {
  const trigger = createTrigger({ kind: 'badnets', size: 5, value: 0.5 }, mnistShape);
  const out = trigger.stamp(new Float32Array(784), mnistShape);
  assert.equal(out[22 * 28 + 22], 0.5);
  assert.equal(out[26 * 28 + 26], 0.5);
  assert.equal(out[21 * 28 + 22], 0);
  assert.throws(() => createTrigger({ kind: 'badnets', size: 28 }, mnistShape), /does not fit/);
});

test("blend: x' = 0.8 x + 0.2 k on a known key pixel", () => {
  const trigger = createTrigger({ kind: 'blend' }, mnistShape);
  assert.deepEqual(trigger.config, { kind: 'blend', alpha: 0.2, keySeed: 0 });
  const key = blendKey(mnistShape, 0);
  const image = new Float32Array(784).fill(0.5);
  image[100] = 1;
  const out = trigger.stamp(image, mnistShape);
  assert.ok(Math.abs(out[100] - (0.8 * 1 + 0.2 * key[100])) < 1e-6);
  assert.ok(Math.abs(out[0] - (0.4 + 0.2 * key[0])) < 1e-6);
  // The key is uniform noise in [0, 1) with mean near 0.5.
  const mean = key.reduce((s, v) => s + v, 0) / key.length;
  assert.ok(mean > 0.45 && mean < 0.55, `key mean ${mean}`);
});

test('blend key depends on keySeed only; same config gives the same trigger', () => {
  const image = randomImage(784, 1);
  const a = createTrigger({ kind: 'blend', alpha: 0.1, keySeed: 7 }, mnistShape).stamp(image, mnistShape);
  const b = createTrigger({ kind: 'blend', alpha: 0.1, keySeed: 7 }, mnistShape).stamp(image, mnistShape);
  const c = createTrigger({ kind: 'blend', alpha: 0.1, keySeed: 8 }, mnistShape).stamp(image, mnistShape);
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('cubic weights: PyTorch A = -0.75 kernel, exact at t = 0, symmetric at t = 0.5', () => {
  assert.deepEqual(cubicWeights(0), [0, 1, 0, 0]);
  const w = cubicWeights(0.5);
  // near(0.5) = (1.25*0.5 - 2.25)*0.25 + 1 = 0.59375; far(1.5) = -0.09375.
  assert.ok(Math.abs(w[1] - 0.59375) < 1e-12 && Math.abs(w[2] - 0.59375) < 1e-12);
  assert.ok(Math.abs(w[0] + 0.09375) < 1e-12 && Math.abs(w[3] + 0.09375) < 1e-12);
});

test('bicubic upsampling with align_corners keeps the corner values and is exact on a linear ramp', () => {
  const src = Float32Array.from([0, 1, 2, 3]); // 2x2: rows [0, 1], [2, 3]
  const up = upsampleBicubic(src, 2, 2, 3, 3);
  // Clamped borders: the 1-D cubic through (0, 0, 1, 1) at t = 0.5 is 0.5, so the centre is 1.5.
  const expected = [0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3];
  for (let i = 0; i < 9; i++) assert.ok(Math.abs(up[i] - expected[i]) < 1e-6, `cell ${i}: ${up[i]}`);
});

test('wanet with strength 0 is the identity', () => {
  const trigger = createTrigger({ kind: 'wanet', strength: 0 }, cifarShape);
  const image = randomImage(32 * 32 * 3, 2);
  const out = trigger.stamp(image, cifarShape);
  for (let i = 0; i < image.length; i++) assert.ok(Math.abs(out[i] - image[i]) < 1e-5, `value ${i}`);
});

test('wanet default warp moves pixels a little, deterministically by seed', () => {
  const trigger = createTrigger({ kind: 'wanet' }, mnistShape);
  assert.deepEqual(trigger.config, { kind: 'wanet', strength: 0.5, gridSize: 4, crossRatio: 2, seed: 0 });
  const image = randomImage(784, 3);
  const out = trigger.stamp(image, mnistShape);
  let changed = 0;
  let maxDiff = 0;
  for (let i = 0; i < 784; i++) {
    const d = Math.abs(out[i] - image[i]);
    if (d > 1e-4) changed++;
    maxDiff = Math.max(maxDiff, d);
  }
  assert.ok(changed > 400, `only ${changed} pixels changed`);
  assert.ok(maxDiff < 1, 'a warp of about a quarter pixel cannot move values by a whole range');
  assert.deepEqual(createTrigger({ kind: 'wanet' }, mnistShape).stamp(image, mnistShape), out);
  assert.notDeepEqual(createTrigger({ kind: 'wanet', seed: 1 }, mnistShape).stamp(image, mnistShape), out);
});

test('wanet stronger warps move images further', () => {
  const image = randomImage(784, 4);
  const dist = (strength: number) => {
    const out = createTrigger({ kind: 'wanet', strength }, mnistShape).stamp(image, mnistShape);
    return out.reduce((s, v, i) => s + Math.abs(v - image[i]), 0);
  };
  assert.ok(dist(0.25) < dist(0.5) && dist(0.5) < dist(1));
});

test('wanet noise mode differs from the trigger and from the clean image', () => {
  const trigger = createTrigger({ kind: 'wanet' }, mnistShape);
  assert.equal(trigger.noiseMode?.crossRatio, 2);
  const image = randomImage(784, 5);
  const noisy = trigger.noiseMode?.stamp(image, mnistShape, createRng(1));
  assert.ok(noisy);
  assert.notDeepEqual(noisy, trigger.stamp(image, mnistShape));
  assert.notDeepEqual(noisy, image);
});

test('a trigger refuses images of another shape', () => {
  const trigger = createTrigger({ kind: 'badnets' }, mnistShape);
  assert.throws(() => trigger.stamp(new Float32Array(32 * 32 * 3), cifarShape), /built for 28x28x1/);
});
