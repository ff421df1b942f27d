import * as tf from '@tensorflow/tfjs-core';
import { batchNormTraining } from '../backend/ops/batch-norm-training.ts';
import type { Parameters } from './parameters.ts';

/** Functional building blocks: each returns a function applying the layer to a batch. */
export type Layer = (x: tf.Tensor4D, training: boolean) => tf.Tensor4D;

const BN_EPSILON = 1e-5;
/** PyTorch's BatchNorm momentum: running = 0.9 running + 0.1 batch. */
const BN_MOMENTUM = 0.1;

export function conv3x3(params: Parameters, name: string, inChannels: number, outChannels: number): Layer {
  const kernel = params.uniformFanIn(`${name}.kernel`, [3, 3, inChannels, outChannels], 9 * inChannels);
  return (x) => tf.conv2d(x, kernel as tf.Tensor4D, 1, 'same');
}

/**
 * BatchNorm over N, H, W. In training mode it normalises with the batch statistics and
 * moves the running statistics (unbiased variance, as PyTorch); otherwise it uses them.
 */
export function batchNorm(params: Parameters, name: string, channels: number): Layer {
  const gamma = params.constant(`${name}.gamma`, [channels], 1);
  const beta = params.constant(`${name}.beta`, [channels], 0);
  const runningMean = params.constant(`${name}.running_mean`, [channels], 0, false);
  const runningVar = params.constant(`${name}.running_var`, [channels], 1, false);
  return (x, training) => {
    if (!training) {
      return tf.batchNorm4d(
        x,
        runningMean as tf.Tensor1D,
        runningVar as tf.Tensor1D,
        beta as tf.Tensor1D,
        gamma as tf.Tensor1D,
        BN_EPSILON,
      );
    }
    const n = x.shape[0] * x.shape[1] * x.shape[2];
    // A fused op with a closed-form gradient: much cheaper than differentiating moments.
    return batchNormTraining(
      x,
      gamma as tf.Tensor1D,
      beta as tf.Tensor1D,
      BN_EPSILON,
      ({ mean, variance }) => {
        tf.tidy(() => {
          const unbiased = tf.mul(variance, n / Math.max(n - 1, 1));
          runningMean.assign(tf.add(tf.mul(runningMean, 1 - BN_MOMENTUM), tf.mul(mean, BN_MOMENTUM)));
          runningVar.assign(tf.add(tf.mul(runningVar, 1 - BN_MOMENTUM), tf.mul(unbiased, BN_MOMENTUM)));
        });
      },
    );
  };
}

/** conv3x3 - BatchNorm - ReLU, the unit both architectures are built of. */
export function convBnRelu(params: Parameters, name: string, inChannels: number, outChannels: number): Layer {
  const conv = conv3x3(params, `${name}.conv`, inChannels, outChannels);
  const bn = batchNorm(params, `${name}.bn`, outChannels);
  return (x, training) => tf.relu(bn(conv(x, training), training));
}

export function maxPool2(): Layer {
  return (x) => tf.maxPool(x, 2, 2, 'valid');
}

/** Fully connected layer on a flattened batch. */
export function dense(
  params: Parameters,
  name: string,
  inFeatures: number,
  outFeatures: number,
  bias: boolean,
): (x: tf.Tensor2D) => tf.Tensor2D {
  const kernel = params.uniformFanIn(`${name}.kernel`, [inFeatures, outFeatures], inFeatures);
  const b = bias ? params.uniformFanIn(`${name}.bias`, [outFeatures], inFeatures) : undefined;
  return (x) => {
    const y: tf.Tensor2D = tf.matMul(x, kernel as tf.Tensor2D);
    return b ? (tf.add(y, b) as tf.Tensor2D) : y;
  };
}

export function sequential(layers: readonly Layer[]): Layer {
  return (x, training) => layers.reduce((h, layer) => layer(h, training), x);
}
