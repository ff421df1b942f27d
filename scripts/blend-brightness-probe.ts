/**
 * Why Neural Cleanse misses Blend on MNIST: does a poisoned F0 answer the target label to a
 * plain brightness lift (x + c, clipped), with no noise key at all? Prints, per model kind and
 * seed, the share of non-target test digits classified as label 0 for each lift c.
 *
 *   node --import tsx scripts/blend-brightness-probe.ts [runs]   (default runs; needs the
 *   runs/nc-{clean,blend,badnets}-sgd folders of docs/defenses.md, made with --save-models 0,1)
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadBackend } from '../sim/backend/loader.ts';
import { imageSize, type ImageSet } from '../sim/data/image-set.ts';
import { loadDataset } from '../sim/data/registry.ts';
import { predictLabels } from '../sim/metrics/evaluate.ts';
import { deserializeModel } from '../sim/models/index.ts';

const TARGET = 0;
const LIFTS = [0, 0.05, 0.1, 0.15, 0.2];
const runs = process.argv[2] ?? 'runs';

/** The non-target images of `set`, each pixel raised by `lift` (clipped to 1). */
function lifted(set: ImageSet, lift: number): ImageSet {
  const size = imageSize(set);
  const keep = [...set.labels.keys()].filter((i) => set.labels[i] !== TARGET);
  const images = new Float32Array(keep.length * size);
  keep.forEach((j, i) => {
    for (let p = 0; p < size; p++) images[i * size + p] = Math.min(1, set.images[j * size + p] + lift);
  });
  return { ...set, images, labels: new Int32Array(keep.length).fill(TARGET), count: keep.length };
}

await loadBackend({ log: () => undefined });
console.log(`share of non-target test digits classified as ${TARGET} after lifting every pixel by c`);
console.log(`model    seed  ${LIFTS.map((c) => `c=${c}`.padStart(8)).join('')}`);
for (const kind of ['clean', 'badnets', 'blend']) {
  for (const seed of [0, 1, 2]) {
    const path = join(runs, `nc-${kind}-sgd`, 'models', `seed-${seed}`, 'F0.bin');
    const model = deserializeModel(new Uint8Array(readFileSync(path)));
    const { test } = loadDataset('mnist', seed);
    const shares: string[] = [];
    for (const lift of LIFTS) {
      const set = lifted(test, lift);
      const predicted = await predictLabels(model, set);
      const hits = predicted.reduce((n, label) => n + (label === TARGET ? 1 : 0), 0);
      shares.push(`${((100 * hits) / set.count).toFixed(1)}%`.padStart(8));
    }
    model.dispose();
    console.log(`${kind.padEnd(8)} ${String(seed).padStart(4)}  ${shares.join('')}`);
  }
}
