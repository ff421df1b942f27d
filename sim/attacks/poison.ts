import { createImageSet, imageSize, type ImageSet } from '../data/image-set.ts';
import { permutation, type Rng } from '../rng.ts';
import type { Trigger } from './types.ts';

export interface PoisonOptions {
  /** Share of the set replaced by triggered, relabelled images (the paper's poison ratio alpha). */
  readonly ratio: number;
  /** The all-to-one target label. */
  readonly target: number;
  readonly rng: Rng;
}

export interface PoisonedSet {
  readonly set: ImageSet;
  /** Indices (sorted) of the images replaced by triggered images labelled `target`. */
  readonly poisoned: Int32Array;
  /** Indices (sorted) of noise-mode images (WaNet): randomly warped, true label kept. */
  readonly noise: Int32Array;
}

/**
 * How poisonSet splits `count` images: round(ratio * count) triggered, then
 * round(crossRatio * ratio * count) noise-mode images, as many as the rest holds; the rest
 * stay clean. From ratio 1 / (1 + crossRatio) on (1/3 for WaNet's cross ratio 2) none does.
 */
export function poisonCounts(
  count: number,
  ratio: number,
  crossRatio: number,
): { poisoned: number; noise: number; clean: number } {
  const poisoned = Math.round(ratio * count);
  const noise = Math.min(Math.round(crossRatio * ratio * count), count - poisoned);
  return { poisoned, noise, clean: count - poisoned - noise };
}

/**
 * Replaces round(ratio * count) images, drawn at random from the images whose label is
 * not the target, by their triggered versions labelled `target`. With a noise mode
 * (WaNet), round(crossRatio * ratio * count) further images, drawn from the rest (any
 * label), are replaced by randomly warped versions that keep their label. Positions are
 * kept; the input set is not modified.
 */
export function poisonSet(set: ImageSet, trigger: Trigger, options: PoisonOptions): PoisonedSet {
  const { ratio, target, rng } = options;
  if (!(ratio >= 0 && ratio <= 1)) throw new Error(`poison ratio must be in [0, 1], got ${ratio}`);
  if (!Number.isInteger(target) || target < 0 || target >= set.numClasses) {
    throw new Error(`target label ${target} is not one of the ${set.numClasses} classes`);
  }
  const counts = poisonCounts(set.count, ratio, trigger.noiseMode?.crossRatio ?? 0);
  const nPoison = counts.poisoned;
  const order = permutation(set.count, rng);
  const candidates = Array.from(order).filter((i) => set.labels[i] !== target);
  if (nPoison > candidates.length) {
    throw new Error(`cannot poison ${nPoison} images: only ${candidates.length} are not of the target class`);
  }
  const poisoned = Int32Array.from(candidates.slice(0, nPoison)).sort();
  const chosen = new Set(poisoned);
  const nNoise = counts.noise;
  const noise = Int32Array.from(
    Array.from(order)
      .filter((i) => !chosen.has(i))
      .slice(0, nNoise),
  ).sort();

  const size = imageSize(set);
  const images = set.images.slice();
  const labels = set.labels.slice();
  for (const i of poisoned) {
    images.set(trigger.stamp(set.images.subarray(i * size, (i + 1) * size), set), i * size);
    labels[i] = target;
  }
  if (trigger.noiseMode) {
    for (const i of noise) {
      images.set(trigger.noiseMode.stamp(set.images.subarray(i * size, (i + 1) * size), set, rng), i * size);
    }
  }
  return { set: createImageSet(set, images, labels, set.numClasses), poisoned, noise };
}

/**
 * The ASR test set: the images whose true label is not the target, stamped, labelled
 * `target` (ASR = share predicted as the target). Drift the set first, then stamp (docs/experiments.md).
 * Any stamp will do: probes pass ad-hoc ones (e.g. a plain brightness lift).
 */
export function triggeredTestSet(set: ImageSet, trigger: Pick<Trigger, 'stamp'>, target: number): ImageSet {
  const size = imageSize(set);
  const keep: number[] = [];
  for (let i = 0; i < set.count; i++) if (set.labels[i] !== target) keep.push(i);
  const images = new Float32Array(keep.length * size);
  keep.forEach((i, k) =>
    images.set(trigger.stamp(set.images.subarray(i * size, (i + 1) * size), set), k * size),
  );
  return createImageSet(set, images, new Int32Array(keep.length).fill(target), set.numClasses);
}
