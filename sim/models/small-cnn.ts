import * as tf from '@tensorflow/tfjs-core';
import { convBnRelu, dense, maxPool2, sequential } from './layers.ts';
import type { ModelSpec } from './model.ts';
import type { Parameters } from './parameters.ts';

/**
 * conv3x3(16)-BN-ReLU-maxpool - conv3x3(32)-BN-ReLU-maxpool - dense(classes): the live
 * demo's model and the reference CNN of the training benchmark.
 */
export function buildSmallCnn(
  spec: ModelSpec,
  params: Parameters,
): (x: tf.Tensor4D, training: boolean) => tf.Tensor2D {
  const c1 = Math.max(1, Math.round(16 * spec.widthMultiplier));
  const c2 = Math.max(1, Math.round(32 * spec.widthMultiplier));
  const features = sequential([
    convBnRelu(params, 'block1', spec.channels, c1),
    maxPool2(),
    convBnRelu(params, 'block2', c1, c2),
    maxPool2(),
  ]);
  const flat = Math.floor(spec.height / 4) * Math.floor(spec.width / 4) * c2;
  const head = dense(params, 'head', flat, spec.numClasses, true);
  return (x, training) => {
    const h = features(x, training);
    return tf.mul(head(tf.reshape(h, [h.shape[0], flat])), spec.logitScale);
  };
}
