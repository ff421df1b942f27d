import type { ImageShape } from '../data/image-set.ts';
import { clamp01 } from './hsv.ts';
import type { DriftDefinition } from './types.ts';

/** Luma as torchvision's rgb_to_grayscale computes it (0.2989, not ITU-R 601-2's 0.299). */
export function luma(r: number, g: number, b: number): number {
  return 0.2989 * r + 0.587 * g + 0.114 * b;
}

/**
 * F.adjust_saturation: blend each pixel with its grayscale value,
 * factor * x + (1 - factor) * gray, clipped to [0, 1]. Factor 0 gives gray, 1 the image.
 * Images with fewer than 3 channels are returned unchanged (torchvision does the same).
 */
export function adjustSaturation(image: Float32Array, shape: ImageShape, factor: number): Float32Array {
  const out = image.slice();
  if (shape.channels < 3) return out;
  const ch = shape.channels;
  for (let p = 0; p < out.length; p += ch) {
    const gray = luma(image[p], image[p + 1], image[p + 2]);
    for (let c = 0; c < 3; c++) out[p + c] = clamp01(factor * image[p + c] + (1 - factor) * gray);
  }
  return out;
}

export const saturationDrift: DriftDefinition = {
  kind: 'saturation',
  unit: 'factor steps',
  // Factor 1 + i*p, floored at 0 (fully gray) since torchvision rejects negative factors.
  makeTransform: (amount, shape) => (image) => adjustSaturation(image, shape, Math.max(0, 1 + amount)),
};
