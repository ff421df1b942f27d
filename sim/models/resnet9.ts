import * as tf from '@tensorflow/tfjs-core';
import { convBnRelu, dense, maxPool2, sequential, type Layer } from './layers.ts';
import type { ModelSpec } from './model.ts';
import type { Parameters } from './parameters.ts';

/** x + f(x): the two-conv residual block of the fast-training ResNet-9. */
function residual(params: Parameters, name: string, channels: number): Layer {
  const body = sequential([
    convBnRelu(params, `${name}.a`, channels, channels),
    convBnRelu(params, `${name}.b`, channels, channels),
  ]);
  return (x, training) => tf.add(x, body(x, training));
}

/**
 * ResNet-9 as in the fast-training recipe the paper uses (Ilyas et al. 2022): prep conv,
 * three stages with max-pooling (residual blocks after the first and third), global max
 * pooling, a bias-free linear head, logits scaled by a constant.
 */
export function buildResnet9(
  spec: ModelSpec,
  params: Parameters,
): (x: tf.Tensor4D, training: boolean) => tf.Tensor2D {
  const w = (channels: number): number => Math.max(1, Math.round(channels * spec.widthMultiplier));
  const features = sequential([
    convBnRelu(params, 'prep', spec.channels, w(64)),
    convBnRelu(params, 'layer1', w(64), w(128)),
    maxPool2(),
    residual(params, 'res1', w(128)),
    convBnRelu(params, 'layer2', w(128), w(256)),
    maxPool2(),
    convBnRelu(params, 'layer3', w(256), w(512)),
    maxPool2(),
    residual(params, 'res3', w(512)),
  ]);
  const head = dense(params, 'head', w(512), spec.numClasses, false);
  return (x, training) => {
    const pooled = tf.max(features(x, training), [1, 2]) as tf.Tensor2D;
    return tf.mul(head(pooled), spec.logitScale);
  };
}
