/**
 * Why Neural Cleanse misses Blend on MNIST: does a poisoned F0 answer the target label to a
 * plain brightness lift (x + c, clipped), with no noise key at all? Prints, per model kind and
 * seed, the share of non-target test digits classified as label 0 for each lift c.
 *
 *   node --import tsx scripts/blend-brightness-probe.ts [run folders...]
 *
 * Default: runs/nc-{clean,badnets,blend}-sgd of docs/defenses.md; any run folder made with
 * --save-models 0 (e.g. runs/nc-blend-a0.05 from `run --attack blend:alpha=0.05`) works.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatAttack, triggeredTestSet } from '../sim/attacks/index.ts';
import { loadBackend } from '../sim/backend/loader.ts';
import { loadDataset, type DatasetName } from '../sim/data/registry.ts';
import { readRunConfig } from '../sim/experiment/run-folder.ts';
import { attackSuccessRate } from '../sim/metrics/evaluate.ts';
import { deserializeModel } from '../sim/models/index.ts';

const TARGET = 0;
const LIFTS = [0, 0.025, 0.05, 0.1, 0.15, 0.2];
const runs =
  process.argv.length > 2
    ? process.argv.slice(2)
    : ['clean', 'badnets', 'blend'].map((k) => `runs/nc-${k}-sgd`);

/** Raises every pixel by `lift` (clipped to 1): a brightness "trigger" with no key at all. */
const brightnessLift = (lift: number) => ({
  stamp: (image: Float32Array) => image.map((v) => Math.min(1, v + lift)),
});

await loadBackend({ log: () => undefined });
console.log(`share of non-target test digits classified as ${TARGET} after lifting every pixel by c`);
console.log(`${'model'.padEnd(17)} seed  ${LIFTS.map((c) => `c=${c}`.padStart(8)).join('')}`);
for (const run of runs) {
  const config = await readRunConfig(run);
  const kind = config.attack ? formatAttack(config.attack) : 'clean';
  for (const seed of config.seeds) {
    const path = join(run, 'models', `seed-${seed}`, 'F0.bin');
    if (!existsSync(path)) continue; // a seed of a run still under way
    const model = deserializeModel(new Uint8Array(readFileSync(path)));
    const { test } = loadDataset(config.dataset as DatasetName, seed);
    const shares: string[] = [];
    for (const lift of LIFTS) {
      const asr = await attackSuccessRate(model, triggeredTestSet(test, brightnessLift(lift), TARGET));
      shares.push(`${(100 * asr).toFixed(1)}%`.padStart(8));
    }
    model.dispose();
    console.log(`${kind.padEnd(17)} ${String(seed).padStart(4)}  ${shares.join('')}`);
  }
}
