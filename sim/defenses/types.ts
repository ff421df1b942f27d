import type * as tf from '@tensorflow/tfjs-core';
import type { ImageSet } from '../data/image-set.ts';
import type { Model } from '../models/model.ts';
import type { AnomalyReport } from './anomaly.ts';
import type { CostScheduleOptions } from './cost-schedule.ts';

export type DefenseName = 'nc' | 'tabor';

/** How hard a scan tries: the budget and Neural Cleanse's optimiser settings. */
export interface ScanOptions {
  /** The reverse-engineered trigger must reach this ASR on the sample (docs/defenses.md: 0.99, 0.75, 0.5, 0.25). */
  readonly threshold: number;
  /** Clean images drawn (seeded) from the given set to optimise on. */
  readonly samples: number;
  readonly batchSize: number;
  /** Passes over the sample at most; a label stops earlier by NC's early-stop rule. */
  readonly maxEpochs: number;
  /** Adam on the tanh-space mask and pattern (NC: lr 0.1, betas 0.5 and 0.9). */
  readonly lr: number;
  readonly beta1: number;
  readonly beta2: number;
  readonly cost: CostScheduleOptions;
  /**
   * Side of the square pixel block one mask parameter covers (NC's `upsample_size`): 1 = a
   * mask value per pixel; 2 = per 2 x 2 block. The L1 norm is that of the full-size mask.
   */
  readonly maskUpsample: number;
  /** Seeds the sample, the batch order and the initial mask and pattern. */
  readonly seed: number;
  /** Labels to reverse-engineer (default: all); the anomaly index needs at least three. */
  readonly labels?: readonly number[];
  readonly signal?: AbortSignal;
  /** Called after each epoch with the labels still being optimised. */
  readonly onEpoch?: (epoch: number, active: readonly number[]) => void;
}

/** The reverse-engineered trigger of one label. */
export interface LabelTrigger {
  readonly label: number;
  /** L1 norm of the best mask (sum over H x W); the last mask's if the threshold was never met. */
  readonly norm: number;
  /** ASR of that trigger on the sample, averaged over the epoch that produced it. */
  readonly asr: number;
  readonly metThreshold: boolean;
  /** Optimiser steps and epochs this label ran before stopping. */
  readonly steps: number;
  readonly epochs: number;
  /** Mask [H * W] and pattern [H * W * C] (HWC), values in [0, 1]. */
  readonly mask: Float32Array;
  readonly pattern: Float32Array;
}

export interface LabelScan extends Omit<LabelTrigger, 'mask' | 'pattern'> {
  readonly anomalyIndex: number;
  readonly flagged: boolean;
}

export interface ScanResult {
  readonly defense: DefenseName;
  readonly threshold: number;
  readonly labels: readonly LabelScan[];
  readonly anomaly: AnomalyReport;
  /** The model's verdict: its anomaly index (that of the smallest-norm label) is above 2. */
  readonly flagged: boolean;
  readonly modelIndex: number;
  readonly flaggedLabels: readonly number[];
  readonly seconds: number;
  readonly budget: {
    samples: number;
    batchSize: number;
    maxEpochs: number;
    steps: number;
    maskUpsample: number;
  };
  /** The recovered triggers as images, by label (not in the JSON summary). */
  readonly triggers: readonly { label: number; mask: Float32Array; pattern: Float32Array }[];
  readonly shape: { height: number; width: number; channels: number };
}

/** What a defense adds to Neural Cleanse's loss, per label (see reverse-engineer.ts). */
export interface ExtraLossContext {
  readonly model: Model;
  /** logits in inference mode. */
  readonly logitsOf: (x: tf.Tensor4D) => tf.Tensor2D;
  /** Candidate triggers of the labels being optimised: [A, H, W, 1] and [A, H, W, C]. */
  readonly mask: tf.Tensor4D;
  readonly pattern: tf.Tensor4D;
  /** This step's clean images [B, H, W, C] and their true labels [B]. */
  readonly x: tf.Tensor4D;
  readonly trueLabels: tf.Tensor1D;
  /** The label each row of mask/pattern is optimised for, [A]. */
  readonly targets: tf.Tensor1D;
}

export type ExtraLoss = (context: ExtraLossContext) => tf.Tensor1D;

/** A trigger reverse-engineering defense (one file each: neural-cleanse.ts, tabor.ts). */
export interface Defense {
  readonly name: DefenseName;
  readonly description: string;
  /** Scans a model with clean images; frees every tensor it makes. */
  scan(model: Model, clean: ImageSet, options?: Partial<ScanOptions>): Promise<ScanResult>;
}
