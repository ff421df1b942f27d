import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classHue, generateColourSet } from '../../sim/data/colour-set.ts';
import type { ImageSet } from '../../sim/data/image-set.ts';
import { rgbToHsv } from '../../sim/drift/hsv.ts';

/**
 * Modal hue (turns) of strongly saturated pixels per class: the centre of the fullest of 20
 * hue bins. (Half of the shaped objects have a random hue, so the mode, not the mean.)
 */
function modalHuePerClass(set: ImageSet): number[] {
  const bins = 20;
  const hist = Array.from({ length: set.numClasses }, () => new Array(bins).fill(0));
  const size = set.height * set.width * 3;
  for (let i = 0; i < set.count; i++) {
    for (let p = i * size; p < (i + 1) * size; p += 3) {
      const [h, s] = rgbToHsv(set.images[p], set.images[p + 1], set.images[p + 2]);
      if (s >= 0.5) hist[set.labels[i]][Math.floor(h * bins) % bins]++;
    }
  }
  return hist.map((counts) => (counts.indexOf(Math.max(...counts)) + 0.5) / bins);
}

const circularDistance = (a: number, b: number): number => Math.min(Math.abs(a - b), 1 - Math.abs(a - b));

test('colour set: 32x32x3 in [0, 1], balanced labels', () => {
  const set = generateColourSet({ count: 50, seed: 1 });
  assert.deepEqual([set.count, set.height, set.width, set.channels, set.numClasses], [50, 32, 32, 3, 10]);
  assert.ok(set.images.every((v) => v >= 0 && v <= 1));
  for (let c = 0; c < 10; c++) assert.equal(set.labels.filter((l) => l === c).length, 5);
});

test('colour set is deterministic by seed', () => {
  const a = generateColourSet({ count: 20, seed: 'x' });
  const b = generateColourSet({ count: 20, seed: 'x' });
  const c = generateColourSet({ count: 20, seed: 'y' });
  assert.deepEqual(a.images, b.images);
  assert.notDeepEqual(a.images, c.images);
});

test('colour set: classes differ in modal hue, each near its class hue', () => {
  const set = generateColourSet({ count: 1000, seed: 3 });
  const hues = modalHuePerClass(set);
  for (let c = 0; c < 10; c++) {
    assert.ok(circularDistance(hues[c], classHue(c)) <= 0.05, `class ${c}: modal hue ${hues[c]}`);
    for (let d = 0; d < c; d++) assert.ok(circularDistance(hues[c], hues[d]) > 0.04, `classes ${c} and ${d}`);
  }
});

test('loadDataset colour: 4,000 / 4,000 / 2,000 of 32x32x3, fixed content, split by seed', async () => {
  const { loadDataset } = await import('../../sim/data/registry.ts');
  const a = loadDataset('colour', 1);
  assert.deepEqual([a.d0.count, a.pool.count, a.test.count], [4000, 4000, 2000]);
  assert.deepEqual(a.shape, { height: 32, width: 32, channels: 3 });
  const b = loadDataset('colour', 2);
  assert.notDeepEqual(a.test.images.subarray(0, 3072), b.test.images.subarray(0, 3072));
  // Same generated images, another split: the union of pixel sums is the same multiset.
  const sums = (ds: typeof a) =>
    [ds.d0, ds.pool, ds.test]
      .flatMap((s) =>
        Array.from({ length: s.count }, (_, i) =>
          s.images.subarray(i * 3072, (i + 1) * 3072).reduce((x, y) => x + y, 0),
        ),
      )
      .sort((x, y) => x - y);
  assert.deepEqual(sums(a), sums(b));
});
