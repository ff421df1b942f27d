import type { ImageShape } from '../data/image-set.ts';
import type { DriftDefinition, ImageTransform } from './types.ts';

/**
 * Where each output pixel samples from: four source pixel indices (-1 = outside, reads 0)
 * and their bilinear weights, per output pixel.
 */
export interface SamplingMap {
  readonly height: number;
  readonly width: number;
  readonly index: Int32Array;
  readonly weight: Float32Array;
}

/**
 * Bilinear sampling map for a source position (x, y) in pixel units per output pixel,
 * with zero padding: a neighbour outside the image contributes 0 and weights are not
 * renormalised (torch grid_sample, padding_mode 'zeros').
 */
export function buildSamplingMap(
  height: number,
  width: number,
  sourceOf: (row: number, col: number) => readonly [x: number, y: number],
): SamplingMap {
  const n = height * width;
  const index = new Int32Array(4 * n).fill(-1);
  const weight = new Float32Array(4 * n);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const [x, y] = sourceOf(r, c);
      const x0 = Math.floor(x);
      const y0 = Math.floor(y);
      const fx = x - x0;
      const fy = y - y0;
      const o = 4 * (r * width + c);
      const taps: ReadonlyArray<readonly [number, number, number]> = [
        [y0, x0, (1 - fx) * (1 - fy)],
        [y0, x0 + 1, fx * (1 - fy)],
        [y0 + 1, x0, (1 - fx) * fy],
        [y0 + 1, x0 + 1, fx * fy],
      ];
      taps.forEach(([ty, tx, w], k) => {
        if (ty >= 0 && ty < height && tx >= 0 && tx < width && w !== 0) {
          index[o + k] = ty * width + tx;
          weight[o + k] = w;
        }
      });
    }
  }
  return { height, width, index, weight };
}

/** Applies a sampling map to one HWC image (all channels share the map). */
export function applySamplingMap(image: Float32Array, map: SamplingMap, channels: number): Float32Array {
  const n = map.height * map.width;
  const out = new Float32Array(n * channels);
  const { index, weight } = map;
  for (let p = 0; p < n; p++) {
    for (let k = 4 * p; k < 4 * p + 4; k++) {
      const src = index[k];
      if (src < 0) continue;
      const w = weight[k];
      for (let ch = 0; ch < channels; ch++) out[p * channels + ch] += w * image[src * channels + ch];
    }
  }
  return out;
}

/**
 * Sampling map of torchvision's F.rotate(img, angle, BILINEAR) on a tensor: rotation about
 * the centre ((W-1)/2, (H-1)/2) in pixel units, positive angles counter-clockwise as the
 * image is displayed (row 0 at the top), output the same size, zero fill. Output pixel
 * (x, y) relative to the centre samples the source at
 * (cos a * x - sin a * y, sin a * x + cos a * y).
 */
export function rotationMap(height: number, width: number, degrees: number): SamplingMap {
  const a = (degrees * Math.PI) / 180;
  const cos = Math.cos(a);
  const sin = Math.sin(a);
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  return buildSamplingMap(height, width, (r, c) => {
    const x = c - cx;
    const y = r - cy;
    return [cos * x - sin * y + cx, sin * x + cos * y + cy];
  });
}

/** Rotates one HWC image by `degrees` counter-clockwise (see rotationMap). */
export function rotateImage(image: Float32Array, shape: ImageShape, degrees: number): Float32Array {
  return applySamplingMap(image, rotationMap(shape.height, shape.width, degrees), shape.channels);
}

export const rotateDrift: DriftDefinition = {
  kind: 'rotate',
  unit: 'degrees',
  makeTransform(amount: number, shape: ImageShape): ImageTransform {
    // One map per angle, shared by every image of the set.
    const map = rotationMap(shape.height, shape.width, amount);
    return (image) => applySamplingMap(image, map, shape.channels);
  },
};
