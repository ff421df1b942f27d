import assert from 'node:assert/strict';
import { test } from 'node:test';
import { poisonCounts, poisonSet, triggeredTestSet } from '../../sim/attacks/poison.ts';
import { createTrigger } from '../../sim/attacks/registry.ts';
import { createImageSet, type ImageSet } from '../../sim/data/image-set.ts';
import { createRng } from '../../sim/rng.ts';

const shape = { height: 28, width: 28, channels: 1 };

/** count images; image i has every pixel = i / count and label i mod 10. */
function fixture(count: number): ImageSet {
  const images = new Float32Array(count * 784);
  for (let i = 0; i < count; i++) images.fill(i / count, i * 784, (i + 1) * 784);
  return createImageSet(
    shape,
    images,
    Int32Array.from({ length: count }, (_, i) => i % 10),
    10,
  );
}

test('poisonSet replaces exactly round(ratio * count) non-target images, relabelled and stamped', () => {
  const set = fixture(205);
  const trigger = createTrigger({ kind: 'badnets' }, shape);
  const { set: out, poisoned, noise } = poisonSet(set, trigger, { ratio: 0.1, target: 0, rng: createRng(1) });
  assert.equal(poisoned.length, 21); // round(20.5)
  assert.equal(noise.length, 0);
  assert.equal(new Set(poisoned).size, 21);
  for (const i of poisoned) {
    assert.notEqual(set.labels[i], 0, 'drawn from non-target images');
    assert.equal(out.labels[i], 0);
    assert.equal(out.images[i * 784 + 25 * 28 + 25], 1, 'patch stamped');
    assert.equal(out.images[i * 784], Math.fround(i / 205), 'rest of the image kept');
  }
  const chosen = new Set(poisoned);
  for (let i = 0; i < set.count; i++) {
    if (chosen.has(i)) continue;
    assert.equal(out.labels[i], set.labels[i]);
    assert.equal(out.images[i * 784 + 25 * 28 + 25], Math.fround(i / 205));
  }
  assert.equal(set.labels[poisoned[0]] !== 0, true, 'input labels untouched');
});

test('poisonSet is deterministic by rng seed and varies with it', () => {
  const set = fixture(100);
  const trigger = createTrigger({ kind: 'blend' }, shape);
  const a = poisonSet(set, trigger, { ratio: 0.2, target: 3, rng: createRng(5) });
  const b = poisonSet(set, trigger, { ratio: 0.2, target: 3, rng: createRng(5) });
  const c = poisonSet(set, trigger, { ratio: 0.2, target: 3, rng: createRng(6) });
  assert.deepEqual(a.poisoned, b.poisoned);
  assert.deepEqual(a.set.images, b.set.images);
  assert.notDeepEqual(a.poisoned, c.poisoned);
});

test('poisonSet with WaNet adds crossRatio x ratio x count noise images that keep their labels', () => {
  const set = fixture(100);
  const trigger = createTrigger({ kind: 'wanet' }, shape);
  const { set: out, poisoned, noise } = poisonSet(set, trigger, { ratio: 0.1, target: 0, rng: createRng(2) });
  assert.equal(poisoned.length, 10);
  assert.equal(noise.length, 20);
  const chosen = new Set(poisoned);
  for (const i of noise) {
    assert.ok(!chosen.has(i));
    assert.equal(out.labels[i], set.labels[i]);
  }
});

test('poisonSet refuses impossible requests', () => {
  const set = fixture(20);
  const trigger = createTrigger({ kind: 'badnets' }, shape);
  assert.throws(() => poisonSet(set, trigger, { ratio: 1, target: 0, rng: createRng(1) }), /only 18/);
  assert.throws(() => poisonSet(set, trigger, { ratio: 0.1, target: 10, rng: createRng(1) }), /target label/);
  assert.throws(() => poisonSet(set, trigger, { ratio: -0.1, target: 0, rng: createRng(1) }), /ratio/);
});

test('triggeredTestSet keeps non-target images, stamps them and labels them with the target', () => {
  const set = fixture(30);
  const trigger = createTrigger({ kind: 'badnets' }, shape);
  const out = triggeredTestSet(set, trigger, 2);
  assert.equal(out.count, 27);
  assert.ok(out.labels.every((l) => l === 2));
  // The first kept image is image 0 (label 0), the third is image 3 (image 2 has the target label).
  assert.equal(out.images[2 * 784], Math.fround(3 / 30));
  assert.equal(out.images[2 * 784 + 24 * 28 + 24], 1);
});

test('poisonCounts: the noise mode takes what the poison leaves, up to crossRatio per poisoned image', () => {
  assert.deepEqual(poisonCounts(4000, 0.1, 2), { poisoned: 400, noise: 800, clean: 2800 });
  assert.deepEqual(poisonCounts(4000, 0.3, 2), { poisoned: 1200, noise: 2400, clean: 400 });
  // From 1 / (1 + crossRatio) on, nothing is left clean.
  assert.deepEqual(poisonCounts(4000, 0.4, 2), { poisoned: 1600, noise: 2400, clean: 0 });
  assert.deepEqual(poisonCounts(4000, 0.4, 0), { poisoned: 1600, noise: 0, clean: 2400 });
});
