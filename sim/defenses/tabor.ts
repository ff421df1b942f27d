/**
 * TABOR (Guo et al. 2020): Neural Cleanse plus four regularisers that penalise overly large
 * (R1), scattered (R2), blocking (R3) and overlaying (R4) triggers. Weights: TrojanZoo's
 * defaults unless given (regularisers.ts); a zero weight skips the term's computation.
 */
import * as tf from '@tensorflow/tfjs-core';
import {
  TABOR_DEFAULT_WEIGHTS,
  blockingLoss,
  maskSize,
  overlayingLoss,
  patternSize,
  smoothness,
  visiblePattern,
  type TaborWeights,
} from './regularisers.ts';
import { runScan } from './scan.ts';
import type { Defense, ExtraLoss } from './types.ts';

/** TABOR's extra loss per label: l1 R1(M) + l2 R1(P) + l3 R2(M) + l4 R2(P) + l5 R3 + l6 R4. */
export function taborLoss(weights: TaborWeights = TABOR_DEFAULT_WEIGHTS): ExtraLoss {
  return ({ logitsOf, mask, pattern, x, trueLabels, targets }) => {
    const terms: tf.Tensor1D[] = [];
    const add = (weight: number, term: () => tf.Tensor1D): void => {
      if (weight !== 0) terms.push(tf.mul(term(), weight));
    };
    add(weights.maskSize, () => maskSize(mask));
    add(weights.patternSize, () => patternSize(mask, pattern));
    add(weights.maskSmoothness, () => smoothness(mask));
    add(weights.patternSmoothness, () => smoothness(visiblePattern(mask, pattern)));
    add(weights.blocking, () => blockingLoss(logitsOf, mask, x, trueLabels));
    add(weights.overlaying, () => overlayingLoss(logitsOf, mask, pattern, targets));
    return terms.length === 0 ? tf.zeros([mask.shape[0]]) : (tf.addN(terms) as tf.Tensor1D);
  };
}

export function createTabor(weights: TaborWeights = TABOR_DEFAULT_WEIGHTS): Defense {
  const extra = taborLoss(weights);
  return {
    name: 'tabor',
    description: 'TABOR: Neural Cleanse + regularisers R1-R4 (TrojanZoo weights)',
    scan: (model, clean, options) => runScan('tabor', model, clean, options ?? {}, extra),
  };
}

export const tabor: Defense = createTabor();
