import * as tf from '@tensorflow/tfjs-core';
import type { ImageSet } from '../data/image-set.ts';
import { NativeNet } from '../backend/native-net/native-net.ts';
import type { Model } from '../models/model.ts';
import { sliceTensor } from '../train/batches.ts';

const EVAL_BATCH = 500;

/**
 * Predicted class per image, in inference mode (BN running statistics): one native call
 * per batch on the fast path (sim/backend/native-net/), else tfjs ops.
 */
export async function predictLabels(
  model: Model,
  set: ImageSet,
  batchSize = EVAL_BATCH,
): Promise<Int32Array> {
  const out = new Int32Array(set.count);
  const native = set.count > 0 ? NativeNet.forModel(model) : undefined;
  if (native) {
    try {
      for (let from = 0; from < set.count; from += batchSize) {
        const n = Math.min(batchSize, set.count - from);
        argMaxRows(native.predict(set.images, from, n), model.spec.numClasses, out.subarray(from, from + n));
      }
    } finally {
      native.dispose();
    }
    return out;
  }
  for (let from = 0; from < set.count; from += batchSize) {
    const to = Math.min(from + batchSize, set.count);
    const predictions = tf.tidy(() => tf.argMax(model.apply(sliceTensor(set, from, to), false), 1));
    out.set(await predictions.data(), from);
    predictions.dispose();
  }
  return out;
}

/** Index of each row's largest value (the first on ties, as tf.argMax). */
export function argMaxRows(values: Float32Array, columns: number, into: Int32Array): void {
  for (let r = 0; r < into.length; r++) {
    let best = 0;
    for (let c = 1; c < columns; c++) if (values[r * columns + c] > values[r * columns + best]) best = c;
    into[r] = best;
  }
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
