import * as tf from '@tensorflow/tfjs-core';
import { makeFusedBatchNormGrad } from './fused-batch-norm.ts';
import { meanGrad } from './mean.ts';

let registered: string[] | undefined;

/**
 * Replaces tfjs-core gradients that are needlessly slow with equivalent ones built from
 * ops (so they hold on every backend). Must run after the gradients are first registered
 * (importing '@tensorflow/tfjs' does that). Idempotent; returns the kernel names.
 */
export function registerFastGradients(): string[] {
  if (registered) return registered;
  const batchNorm = tf.getGradient('FusedBatchNorm');
  if (!batchNorm) throw new Error('tfjs gradients are not registered: import @tensorflow/tfjs first');
  tf.registerGradient(makeFusedBatchNormGrad(batchNorm));
  tf.registerGradient(meanGrad);
  registered = ['FusedBatchNorm', 'Mean'];
  return registered;
}
