/**
 * TABOR's regularisers (Guo et al. 2020; the TrojanZoo formulation), as pure functions of a
 * stack of candidate triggers: masks [L, H, W, 1] and patterns [L, H, W, C], one per label.
 * Each returns one value per label ([L]) so that the labels are optimised side by side.
 */
import * as tf from '@tensorflow/tfjs-core';

/** The six weights l1..l6 of TABOR's loss (Guo et al. 2019; docs/defenses.md). */
export interface TaborWeights {
  /** R1 on the mask: |M|_1 + |M|_2^2. */
  readonly maskSize: number;
  /** R1 on the visible pattern: |(1-M) P|_1 + |(1-M) P|_2^2. */
  readonly patternSize: number;
  /** R2 on the mask: squared differences of neighbouring pixels. */
  readonly maskSmoothness: number;
  /** R2 on the visible pattern (1-M) P. */
  readonly patternSmoothness: number;
  /** R3: cross-entropy of the image with the trigger area blanked out, against its true label. */
  readonly blocking: number;
  /** R4: cross-entropy of the trigger alone, M P, against the target. */
  readonly overlaying: number;
}

/** TrojanZoo's defaults (trojanvision/defenses/backdoor/model_inspection/tabor.py). */
export const TABOR_DEFAULT_WEIGHTS: TaborWeights = {
  maskSize: 1e-6,
  patternSize: 1e-5,
  maskSmoothness: 1e-7,
  patternSmoothness: 1e-8,
  blocking: 0,
  overlaying: 1e-2,
};

/** Sum over every axis but the first: [L, ...] -> [L]. */
function sumPerLabel(t: tf.Tensor): tf.Tensor1D {
  return tf.sum(tf.reshape(t, [t.shape[0], -1]), 1) as tf.Tensor1D;
}

/** |t|_1 + |t|_2^2 per label. */
function sizeTerm(t: tf.Tensor): tf.Tensor1D {
  return tf.add(sumPerLabel(tf.abs(t)), sumPerLabel(tf.square(t)));
}

/** The part of the pattern that shows through where the mask is off: (1 - M) P. */
export function visiblePattern(mask: tf.Tensor4D, pattern: tf.Tensor4D): tf.Tensor4D {
  return tf.mul(tf.sub(1, mask), pattern);
}

/** R1, mask: |M|_1 + |M|_2^2 per label. */
export function maskSize(mask: tf.Tensor4D): tf.Tensor1D {
  return sizeTerm(mask);
}

/** R1, pattern: |(1-M) P|_1 + |(1-M) P|_2^2 per label. */
export function patternSize(mask: tf.Tensor4D, pattern: tf.Tensor4D): tf.Tensor1D {
  return sizeTerm(visiblePattern(mask, pattern));
}

/** R2: sum of squared differences of vertically and horizontally adjacent pixels, per label. */
export function smoothness(t: tf.Tensor4D): tf.Tensor1D {
  const [l, h, w, c] = t.shape;
  const vertical = tf.sub(
    tf.slice(t, [0, 1, 0, 0], [l, h - 1, w, c]),
    tf.slice(t, [0, 0, 0, 0], [l, h - 1, w, c]),
  );
  const horizontal = tf.sub(
    tf.slice(t, [0, 0, 1, 0], [l, h, w - 1, c]),
    tf.slice(t, [0, 0, 0, 0], [l, h, w - 1, c]),
  );
  return tf.add(sumPerLabel(tf.square(vertical)), sumPerLabel(tf.square(horizontal)));
}

/** Mean cross-entropy per group of rows: logits [L*B, K], targets [L*B] -> [L]. */
export function groupedCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor1D, groups: number): tf.Tensor1D {
  const [rows, classes] = logits.shape;
  const picked = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(tf.cast(targets, 'int32'), classes)), 1);
  return tf.neg(tf.mean(tf.reshape(picked, [groups, rows / groups]), 1)) as tf.Tensor1D;
}

/** R3, blocking: CE(f((1-M) x), y) per label, for clean images x [B, H, W, C] with labels y [B]. */
export function blockingLoss(
  logitsOf: (x: tf.Tensor4D) => tf.Tensor2D,
  mask: tf.Tensor4D,
  x: tf.Tensor4D,
  trueLabels: tf.Tensor1D,
): tf.Tensor1D {
  const [l, h, w] = mask.shape;
  const [b, , , c] = x.shape;
  const blanked = tf.mul(tf.sub(1, tf.reshape(mask, [l, 1, h, w, 1])), tf.reshape(x, [1, b, h, w, c]));
  const logits = logitsOf(tf.reshape(blanked, [l * b, h, w, c]) as tf.Tensor4D);
  return groupedCrossEntropy(logits, tf.tile(trueLabels, [l]) as tf.Tensor1D, l);
}

/** R4, overlaying: CE(f(M P), target_l) per label; `targets` [L] holds each row's label. */
export function overlayingLoss(
  logitsOf: (x: tf.Tensor4D) => tf.Tensor2D,
  mask: tf.Tensor4D,
  pattern: tf.Tensor4D,
  targets: tf.Tensor1D,
): tf.Tensor1D {
  return groupedCrossEntropy(logitsOf(tf.mul(mask, pattern)), targets, mask.shape[0]);
}
