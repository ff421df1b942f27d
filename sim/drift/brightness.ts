import type { ImageShape } from '../data/image-set.ts';
import { clamp01 } from './hsv.ts';
import type { DriftDefinition } from './types.ts';

/** F.adjust_brightness: every value times `factor`, clipped to [0, 1]. */
export function scaleBrightness(image: Float32Array, _shape: ImageShape, factor: number): Float32Array {
  const out = new Float32Array(image.length);
  for (let i = 0; i < image.length; i++) out[i] = clamp01(image[i] * factor);
  return out;
}

export const brightnessDrift: DriftDefinition = {
  kind: 'brightness',
  unit: 'factor steps',
  // Factor 1 + i*p; torchvision rejects negative factors, we floor at 0 (black).
  makeTransform: (amount, shape) => (image) => scaleBrightness(image, shape, Math.max(0, 1 + amount)),
};
