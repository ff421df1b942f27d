import * as tf from '@tensorflow/tfjs-core';
import type { ImageSet } from '../data/image-set.ts';
import type { Model } from '../models/model.ts';
import { sliceTensor } from '../train/batches.ts';

const EVAL_BATCH = 500;

/** Predicted class per image, in inference mode (BN running statistics). */
export async function predictLabels(
  model: Model,
  set: ImageSet,
  batchSize = EVAL_BATCH,
): Promise<Int32Array> {
  const out = new Int32Array(set.count);
  for (let from = 0; from < set.count; from += batchSize) {
    const to = Math.min(from + batchSize, set.count);
    const predictions = tf.tidy(() => tf.argMax(model.apply(sliceTensor(set, from, to), false), 1));
    out.set(await predictions.data(), from);
    predictions.dispose();
  }
  return out;
}

/** Share of images predicted as their label. */
export async function accuracy(model: Model, set: ImageSet): Promise<number> {
  if (set.count === 0) return Number.NaN;
  const predicted = await predictLabels(model, set);
  return matchRate(predicted, set.labels);
}

/**
 * Attack success rate on a triggered set (non-target images, drifted then stamped,
 * labelled with the target): the share classified as the target.
 */
export const attackSuccessRate = accuracy;

/** Share of positions where the two label arrays agree. */
export function matchRate(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predicted.length !== labels.length) throw new Error('matchRate: lengths differ');
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hits++;
  return labels.length === 0 ? Number.NaN : hits / labels.length;
}

/** Share of predictions per class (an observable output statistic for the live loop). */
export function labelHistogram(predicted: ArrayLike<number>, numClasses: number): number[] {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < predicted.length; i++) counts[predicted[i]]++;
  return counts.map((c) => (predicted.length === 0 ? 0 : c / predicted.length));
}
