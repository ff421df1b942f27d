import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, NamedAttrMap } from '@tensorflow/tfjs-core';

/**
 * The gradient of tf.mean: dy / n broadcast over the reduced axes. tfjs-core computes
 * (dy * ones) / n, a full-size division more than needed; dividing the small dy first
 * saves a pass over every activation BatchNorm's moments reduce.
 */
export const meanGrad: GradConfig = {
  kernelName: 'Mean',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs: NamedAttrMap) => {
    const [x] = saved;
    const axes = tf.util.parseAxisParam(attrs.axis as number | number[], x.shape);
    const expanded = x.shape.map((n, i) => (axes.includes(i) ? 1 : n));
    const count = axes.reduce((n, axis) => n * x.shape[axis], 1);
    return {
      x: () => tf.mul(tf.reshape(tf.div(dy as tf.Tensor, count), expanded), tf.ones(x.shape, 'float32')),
    };
  },
};
