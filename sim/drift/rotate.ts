import type { ImageShape } from '../data/image-set.ts';
import type { DriftDefinition, ImageTransform, Interpolation } from './types.ts';

/**
 * Where each output pixel samples from: `taps` source pixel indices per output pixel
 * (-1 = outside, reads 0) and their weights. Nearest-neighbour maps have one tap, bilinear
 * maps four.
 */
export interface SamplingMap {
  readonly height: number;
  readonly width: number;
  readonly taps: 1 | 4;
  readonly index: Int32Array;
  readonly weight: Float32Array;
}

type SourceOf = (row: number, col: number) => readonly [x: number, y: number];

/**
 * Bilinear sampling map for a source position (x, y) in pixel units per output pixel,
 * with zero padding: a neighbour outside the image contributes 0 and weights are not
 * renormalised (torch grid_sample, padding_mode 'zeros').
 */
export function buildSamplingMap(height: number, width: number, sourceOf: SourceOf): SamplingMap {
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
  return { height, width, taps: 4, index, weight };
}

/**
 * Nearest-neighbour sampling map: each output pixel copies the source pixel nearest to
 * (x, y), ties rounded half to even as grid_sample's nearest mode does (nearbyint), or 0
 * when that pixel lies outside the image.
 */
export function buildNearestMap(height: number, width: number, sourceOf: SourceOf): SamplingMap {
  const n = height * width;
  const index = new Int32Array(n).fill(-1);
  const weight = new Float32Array(n).fill(1);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const [x, y] = sourceOf(r, c);
      const tx = roundHalfEven(x);
      const ty = roundHalfEven(y);
      if (ty >= 0 && ty < height && tx >= 0 && tx < width) index[r * width + c] = ty * width + tx;
    }
  }
  return { height, width, taps: 1, index, weight };
}

/** Applies a sampling map to one HWC image (all channels share the map). */
export function applySamplingMap(image: Float32Array, map: SamplingMap, channels: number): Float32Array {
  const n = map.height * map.width;
  const out = new Float32Array(n * channels);
  const { index, weight, taps } = map;
  for (let p = 0; p < n; p++) {
    for (let k = taps * p; k < taps * p + taps; k++) {
      const src = index[k];
      if (src < 0) continue;
      const w = weight[k];
      for (let ch = 0; ch < channels; ch++) out[p * channels + ch] += w * image[src * channels + ch];
    }
  }
  return out;
}

/**
 * Source position of every output pixel under torchvision's `F.rotate(img, angle)` on a
 * tensor (torchvision 0.14, transforms/functional.py and _functional_tensor.py), computed
 * in float32 in torch's order so that nearest-neighbour ties fall the same way:
 * - the inverse affine matrix of a rotation by -angle about the centre is
 *   [cos a, -sin a, 0; sin a, cos a, 0] (positive angles turn counter-clockwise on screen);
 * - the base grid holds pixel centres relative to the image centre, c - W/2 + 0.5;
 * - it is divided by W/2 (H/2) into grid_sample's [-1, 1] coordinates and then
 *   unnormalised with align_corners=False: (g + 1) * W/2 - 0.5.
 */
export function rotationSource(height: number, width: number, degrees: number): SourceOf {
  const f = Math.fround;
  const a = (degrees * Math.PI) / 180;
  // theta.transpose(1, 2) / [0.5 W, 0.5 H], in float32
  const halfW = f(0.5 * width);
  const halfH = f(0.5 * height);
  const t00 = f(f(Math.cos(a)) / halfW); // x -> gx
  const t10 = f(f(-Math.sin(a)) / halfW); // y -> gx
  const t01 = f(f(Math.sin(a)) / halfH); // x -> gy
  const t11 = f(f(Math.cos(a)) / halfH); // y -> gy
  return (row, col) => {
    const x = f(col - width * 0.5 + 0.5);
    const y = f(row - height * 0.5 + 0.5);
    const gx = f(f(x * t00) + f(y * t10));
    const gy = f(f(x * t01) + f(y * t11));
    return [f(f(f(gx + 1) * halfW) - 0.5), f(f(f(gy + 1) * halfH) - 0.5)];
  };
}

/** Sampling map of `F.rotate(img, degrees, interpolation)` on a tensor, zero fill. */
export function rotationMap(
  height: number,
  width: number,
  degrees: number,
  interpolation: Interpolation = 'nearest',
): SamplingMap {
  const source = rotationSource(height, width, degrees);
  return interpolation === 'nearest'
    ? buildNearestMap(height, width, source)
    : buildSamplingMap(height, width, source);
}

/** Rotates one HWC image by `degrees` counter-clockwise (see rotationMap). */
export function rotateImage(
  image: Float32Array,
  shape: ImageShape,
  degrees: number,
  interpolation: Interpolation = 'nearest',
): Float32Array {
  return applySamplingMap(
    image,
    rotationMap(shape.height, shape.width, degrees, interpolation),
    shape.channels,
  );
}

export const rotateDrift: DriftDefinition = {
  kind: 'rotate',
  unit: 'degrees',
  interpolations: ['nearest', 'bilinear'],
  makeTransform(amount: number, shape: ImageShape, interpolation: Interpolation = 'nearest'): ImageTransform {
    // One map per angle, shared by every image of the set.
    const map = rotationMap(shape.height, shape.width, amount, interpolation);
    return (image) => applySamplingMap(image, map, shape.channels);
  },
};

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  // Math.round rounds .5 up; nearbyint (the default rounding mode) rounds it to even.
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
