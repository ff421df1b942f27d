import * as tf from '@tensorflow/tfjs-core';
import { BATCH_NORM_GRAD, BATCH_NORM_MOMENTS } from '../wasm-kernels/batch-norm-training.ts';

export interface BatchNormStatistics {
  /** Per-channel batch mean, [C]. */
  readonly mean: tf.Tensor1D;
  /** Per-channel biased batch variance (the one normalised with), [C]. */
  readonly variance: tf.Tensor1D;
}

function hasKernel(name: string): boolean {
  return tf.getKernel(name, tf.getBackend()) !== undefined;
}

function batchMoments(x: tf.Tensor): BatchNormStatistics {
  if (hasKernel(BATCH_NORM_MOMENTS)) {
    const [mean, variance] = tf.engine().runKernel(BATCH_NORM_MOMENTS, { x }) as tf.Tensor1D[];
    return { mean, variance };
  }
  const axes = [...Array(x.rank - 1).keys()];
  const { mean, variance } = tf.moments(x, axes);
  return { mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D };
}

/** The closed-form gradient, composed of ops, for backends without the fused kernel. */
function gradByOps(
  dy: tf.Tensor,
  x: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  gamma: tf.Tensor,
  epsilon: number,
) {
  const axes = [...Array(x.rank - 1).keys()];
  const count = x.size / x.shape[x.rank - 1];
  const rstd = tf.rsqrt(tf.add(variance, epsilon));
  const xh = tf.mul(tf.sub(x, mean), rstd);
  const dBeta = tf.sum(dy, axes);
  const dGamma = tf.sum(tf.mul(dy, xh), axes);
  const centred = tf.sub(tf.sub(dy, tf.div(dBeta, count)), tf.mul(xh, tf.div(dGamma, count)));
  return [tf.mul(centred, tf.mul(gamma, rstd)), dGamma, dBeta];
}

/**
 * BatchNorm in training mode, normalising [..., C] with the batch's per-channel statistics:
 * y = gamma (x - mean) / sqrt(var + eps) + beta, differentiable in x, gamma and beta
 * (through the statistics too). Equal to tf.moments followed by tf.batchNorm, but its
 * gradient is the closed form instead of a dozen taped ops, and on wasm both directions
 * run as fused kernels. `onStatistics` receives the batch statistics (valid only during the
 * call) to move running averages.
 */
export function batchNormTraining(
  x: tf.Tensor4D,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  epsilon: number,
  onStatistics?: (stats: BatchNormStatistics) => void,
): tf.Tensor4D {
  const op = tf.customGrad((xIn, gammaIn, betaIn, save) => {
    const [xt, g, b] = [xIn, gammaIn, betaIn] as tf.Tensor[];
    const stats = batchMoments(xt);
    onStatistics?.(stats);
    (save as tf.GradSaveFunc)([xt, stats.mean, stats.variance, g]);
    const value = tf.batchNorm(xt, stats.mean, stats.variance, b as tf.Tensor1D, g as tf.Tensor1D, epsilon);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, sMean, sVar, sGamma] = saved;
        if (hasKernel(BATCH_NORM_GRAD)) {
          return tf
            .engine()
            .runKernel(
              BATCH_NORM_GRAD,
              { dy, x: sx, mean: sMean, variance: sVar, gamma: sGamma },
              { epsilon },
            ) as tf.Tensor[];
        }
        return gradByOps(dy, sx, sMean, sVar, sGamma, epsilon);
      },
    };
  });
  return op(x, gamma, beta) as tf.Tensor4D;
}
