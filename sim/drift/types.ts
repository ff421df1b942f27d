import type { ImageShape } from '../data/image-set.ts';

export const DRIFT_KINDS = ['rotate', 'hue', 'brightness', 'saturation'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

/** One drift: at update i the transform runs with amount i * step. */
export interface DriftSpec {
  readonly kind: DriftKind;
  readonly step: number;
}

/** Transforms one HWC image into a new one; built once per (amount, shape) and reused. */
export type ImageTransform = (image: Float32Array) => Float32Array;

/** A drift kind, registered like a tfjs kernel: a name, its unit and a transform factory. */
export interface DriftDefinition {
  readonly kind: DriftKind;
  /** Unit of the amount i * step, for descriptions. */
  readonly unit: string;
  /** The transform for a total amount (i * step); may precompute per shape. */
  makeTransform(amount: number, shape: ImageShape): ImageTransform;
}
