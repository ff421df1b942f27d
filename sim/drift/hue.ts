import type { ImageShape } from '../data/image-set.ts';
import { hsvToRgb, rgbToHsv } from './hsv.ts';
import type { DriftDefinition } from './types.ts';

/**
 * F.adjust_hue: convert to HSV, add `turns` to the hue modulo 1, convert back. Unlike
 * torchvision we accept any shift (it wraps) rather than only [-0.5, 0.5]. Images with
 * fewer than 3 channels are returned unchanged, as torchvision does for grayscale.
 */
export function shiftHue(image: Float32Array, shape: ImageShape, turns: number): Float32Array {
  const out = image.slice();
  if (shape.channels < 3) return out;
  const ch = shape.channels;
  for (let p = 0; p < out.length; p += ch) {
    const [h, s, v] = rgbToHsv(image[p], image[p + 1], image[p + 2]);
    const [r, g, b] = hsvToRgb((((h + turns) % 1) + 1) % 1, s, v);
    out[p] = r;
    out[p + 1] = g;
    out[p + 2] = b;
  }
  return out;
}

export const hueDrift: DriftDefinition = {
  kind: 'hue',
  unit: 'turns',
  makeTransform: (amount, shape) => (image) => shiftHue(image, shape, amount),
};
