import type { ImageShape } from '../data/image-set.ts';

export const DRIFT_KINDS = ['rotate', 'hue', 'brightness', 'saturation'] as const;
export type DriftKind = (typeof DRIFT_KINDS)[number];

export const INTERPOLATIONS = ['nearest', 'bilinear'] as const;
/** How a geometric drift resamples pixels; nearest is torchvision's default for rotate. */
export type Interpolation = (typeof INTERPOLATIONS)[number];

/** One drift: at update i the transform runs with amount i * step. */
export interface DriftSpec {
  readonly kind: DriftKind;
  readonly step: number;
  /** Resampling of a geometric drift (rotate); absent for pixel-wise drifts. */
  readonly interpolation?: Interpolation;
}

/** Transforms one HWC image into a new one; built once per (amount, shape) and reused. */
export type ImageTransform = (image: Float32Array) => Float32Array;

/** A drift kind, registered like a tfjs kernel: a name, its unit and a transform factory. */
export interface DriftDefinition {
  readonly kind: DriftKind;
  /** Unit of the amount i * step, for descriptions. */
  readonly unit: string;
  /** Interpolations a geometric drift offers, the default first; absent for pixel-wise drifts. */
  readonly interpolations?: readonly Interpolation[];
  /** The transform for a total amount (i * step); may precompute per shape. */
  makeTransform(amount: number, shape: ImageShape, interpolation?: Interpolation): ImageTransform;
}
