import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createImageSet } from '../../sim/data/image-set.ts';
import { loadMnist } from '../../sim/data/mnist.ts';
import { loadDataset } from '../../sim/data/registry.ts';
import { splitDataset } from '../../sim/data/split.ts';

test('loadMnist: the 10,000 npm digits, 28x28x1 in [0, 1], per-digit counts of the package', () => {
  const set = loadMnist();
  assert.equal(set.count, 10000);
  assert.deepEqual([set.height, set.width, set.channels, set.numClasses], [28, 28, 1, 10]);
  const perClass = new Array(10).fill(0);
  for (const l of set.labels) perClass[l]++;
  assert.deepEqual(perClass, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  let min = Infinity;
  let max = -Infinity;
  for (const v of set.images) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  assert.equal(min, 0);
  assert.equal(max, 1);
  assert.equal(loadMnist(), set, 'cached');
});

/** Images carry their own index as every pixel value, so identities survive the split. */
function indexed(count: number) {
  const images = Float32Array.from({ length: count * 4 }, (_, i) => Math.floor(i / 4));
  return createImageSet(
    { height: 2, width: 2, channels: 1 },
    images,
    Int32Array.from({ length: count }, (_, i) => i % 3),
    3,
  );
}

test('splitDataset: requested sizes, disjoint, labels follow their images', () => {
  const set = indexed(100);
  const { d0, pool, test: testSet } = splitDataset(set, { d0: 40, pool: 35, test: 20 }, 7);
  assert.deepEqual([d0.count, pool.count, testSet.count], [40, 35, 20]);
  const ids = [d0, pool, testSet].flatMap((s) => Array.from({ length: s.count }, (_, i) => s.images[i * 4]));
  assert.equal(new Set(ids).size, 95, 'no image in two parts');
  for (const s of [d0, pool, testSet]) {
    for (let i = 0; i < s.count; i++) assert.equal(s.labels[i], s.images[i * 4] % 3);
  }
});

test('splitDataset is deterministic by seed and differs across seeds', () => {
  const set = indexed(50);
  const a = splitDataset(set, { d0: 20, pool: 20, test: 10 }, 1);
  const b = splitDataset(set, { d0: 20, pool: 20, test: 10 }, 1);
  const c = splitDataset(set, { d0: 20, pool: 20, test: 10 }, 2);
  assert.deepEqual(a.d0.images, b.d0.images);
  assert.notDeepEqual(a.d0.images, c.d0.images);
});

test('splitDataset rejects sizes the set cannot hold', () => {
  assert.throws(() => splitDataset(indexed(10), { d0: 5, pool: 5, test: 1 }, 1), /needs 11 images/);
  assert.throws(() => splitDataset(indexed(10), { d0: -1, pool: 5, test: 1 }, 1), /non-negative/);
});

test('loadDataset mnist: default 4,000 / 4,000 / 2,000 split and shape', () => {
  const ds = loadDataset('mnist', 3);
  assert.deepEqual([ds.d0.count, ds.pool.count, ds.test.count], [4000, 4000, 2000]);
  assert.deepEqual(ds.shape, { height: 28, width: 28, channels: 1 });
  assert.equal(ds.numClasses, 10);
  assert.throws(() => loadDataset('imagenet' as 'mnist', 1), /unknown data set/);
});
