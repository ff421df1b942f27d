import * as tf from '@tensorflow/tfjs-core';
import { imageSize, type ImageSet } from '../data/image-set.ts';

/** Copies the images at `indices[from, to)` into an NHWC tensor and their labels. */
export function batchTensors(
  set: ImageSet,
  indices: ArrayLike<number>,
  from: number,
  to: number,
): { x: tf.Tensor4D; labels: Int32Array } {
  const size = imageSize(set);
  const n = to - from;
  const buffer = new Float32Array(n * size);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const j = indices[from + i];
    buffer.set(set.images.subarray(j * size, (j + 1) * size), i * size);
    labels[i] = set.labels[j];
  }
  return { x: tf.tensor4d(buffer, [n, set.height, set.width, set.channels]), labels };
}

/** A contiguous slice [from, to) of a set as a tensor (evaluation order). */
export function sliceTensor(set: ImageSet, from: number, to: number): tf.Tensor4D {
  const size = imageSize(set);
  return tf.tensor4d(set.images.subarray(from * size, to * size), [
    to - from,
    set.height,
    set.width,
    set.channels,
  ]);
}
