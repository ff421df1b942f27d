import type { ImageShape } from '../data/image-set.ts';
import { applySamplingMap, buildSamplingMap, type SamplingMap } from '../drift/rotate.ts';
import { createRng, type Rng } from '../rng.ts';
import { z } from 'zod';
import { assertShape, param, type AttackDefinition, type WanetConfig } from './types.ts';

/**
 * WaNet (Nguyen & Tran 2021), following the official code (VinAIResearch/Warping-based_Backdoor_Attack):
 *   ins = U(-1, 1) of shape 2 x k x k; ins /= mean(|ins|)
 *   noise_grid = upsample(ins, H, bicubic, align_corners=True)
 *   grid = clamp(identity_grid + s * noise_grid / H, -1, 1)   (grid_rescale 1)
 *   x' = grid_sample(x, grid, bilinear, align_corners=True)
 * and, in noise mode, grid2 = clamp(grid + U(-1, 1)^(H x W x 2) / H, -1, 1) per image.
 * Grid channel 0 is the x (column) offset, channel 1 the y (row) offset, both in
 * normalised coordinates [-1, 1].
 */

/** PyTorch's cubic convolution kernel (A = -0.75) weights for fractional offset t. */
export function cubicWeights(t: number): [number, number, number, number] {
  const A = -0.75;
  const near = (x: number): number => ((A + 2) * x - (A + 3)) * x * x + 1;
  const far = (x: number): number => ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return [far(t + 1), near(t), near(1 - t), far(2 - t)];
}

/**
 * Bicubic upsampling of one inH x inW plane to outH x outW, align_corners=True, border
 * taps clamped (torch upsample_bicubic2d).
 */
export function upsampleBicubic(
  src: Float32Array,
  inH: number,
  inW: number,
  outH: number,
  outW: number,
): Float32Array {
  const at = (r: number, c: number): number =>
    src[Math.min(Math.max(r, 0), inH - 1) * inW + Math.min(Math.max(c, 0), inW - 1)];
  const out = new Float32Array(outH * outW);
  const sy = outH > 1 ? (inH - 1) / (outH - 1) : 0;
  const sx = outW > 1 ? (inW - 1) / (outW - 1) : 0;
  for (let r = 0; r < outH; r++) {
    const y = r * sy;
    const y0 = Math.floor(y);
    const wy = cubicWeights(y - y0);
    for (let c = 0; c < outW; c++) {
      const x = c * sx;
      const x0 = Math.floor(x);
      const wx = cubicWeights(x - x0);
      let v = 0;
      for (let i = 0; i < 4; i++) {
        let row = 0;
        for (let j = 0; j < 4; j++) row += wx[j] * at(y0 - 1 + i, x0 - 1 + j);
        v += wy[i] * row;
      }
      out[r * outW + c] = v;
    }
  }
  return out;
}

/** The warp field: per pixel (x, y) offsets, the upsampled normalised control grid. */
export function wanetNoiseGrid(
  gridSize: number,
  height: number,
  width: number,
  seed: number,
): { x: Float32Array; y: Float32Array } {
  const rng = createRng(`wanet-grid:${seed}`);
  const k2 = gridSize * gridSize;
  const ins = new Float32Array(2 * k2);
  for (let i = 0; i < ins.length; i++) ins[i] = rng.next() * 2 - 1;
  const meanAbs = ins.reduce((s, v) => s + Math.abs(v), 0) / ins.length;
  for (let i = 0; i < ins.length; i++) ins[i] /= meanAbs;
  return {
    x: upsampleBicubic(ins.subarray(0, k2), gridSize, gridSize, height, width),
    y: upsampleBicubic(ins.subarray(k2), gridSize, gridSize, height, width),
  };
}

/** Normalised sampling grid: identity + strength * noise / H, clamped to [-1, 1]. */
export function wanetGrid(
  noise: { x: Float32Array; y: Float32Array },
  strength: number,
  height: number,
  width: number,
): { x: Float32Array; y: Float32Array } {
  const x = new Float32Array(height * width);
  const y = new Float32Array(height * width);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const p = r * width + c;
      const ix = width > 1 ? -1 + (2 * c) / (width - 1) : 0;
      const iy = height > 1 ? -1 + (2 * r) / (height - 1) : 0;
      x[p] = clamp1(ix + (strength * noise.x[p]) / height);
      y[p] = clamp1(iy + (strength * noise.y[p]) / height);
    }
  }
  return { x, y };
}

/** grid_sample(bilinear, zeros, align_corners=True) as a sampling map. */
export function gridSampleMap(
  grid: { x: Float32Array; y: Float32Array },
  height: number,
  width: number,
): SamplingMap {
  return buildSamplingMap(height, width, (r, c) => {
    const p = r * width + c;
    return [((grid.x[p] + 1) / 2) * (width - 1), ((grid.y[p] + 1) / 2) * (height - 1)];
  });
}

/** Noise-mode images per poisoned one: the WaNet paper's cross ratio (Nguyen and Tran, 2021). */
export const WANET_CROSS_RATIO = 2;

export const wanet: AttackDefinition<'wanet'> = {
  kind: 'wanet',
  description: 'WaNet: a smooth warp from a random k x k control grid, bilinear grid sampling',
  visibilityKnob: 'strength',
  schema: z
    .object({
      kind: z.literal('wanet'),
      strength: param.min(0).optional(),
      gridSize: param.int().min(2).optional(),
      crossRatio: param.min(0).optional(),
      seed: param.int().optional(),
    })
    .strict(),
  seedParam: 'seed',
  resolve(config) {
    const resolved = {
      kind: 'wanet' as const,
      strength: config.strength ?? 0.5,
      gridSize: config.gridSize ?? 4,
      crossRatio: config.crossRatio ?? WANET_CROSS_RATIO,
      seed: config.seed ?? 0,
    };
    if (!Number.isInteger(resolved.gridSize) || resolved.gridSize < 2) {
      throw new Error(`wanet gridSize must be an integer >= 2, got ${resolved.gridSize}`);
    }
    if (resolved.crossRatio < 0) throw new Error(`wanet crossRatio must be >= 0, got ${resolved.crossRatio}`);
    return resolved;
  },
  create(config: Required<WanetConfig>, shape) {
    const { height, width, channels } = shape;
    const grid = wanetGrid(
      wanetNoiseGrid(config.gridSize, height, width, config.seed),
      config.strength,
      height,
      width,
    );
    const map = gridSampleMap(grid, height, width);
    return {
      config,
      shape,
      stamp(image, imageShape) {
        assertShape(shape, imageShape);
        return applySamplingMap(image, map, channels);
      },
      noiseMode: {
        crossRatio: config.crossRatio,
        stamp(image: Float32Array, imageShape: ImageShape, rng: Rng) {
          assertShape(shape, imageShape);
          const x = new Float32Array(height * width);
          const y = new Float32Array(height * width);
          for (let p = 0; p < x.length; p++) {
            x[p] = clamp1(grid.x[p] + (rng.next() * 2 - 1) / height);
            y[p] = clamp1(grid.y[p] + (rng.next() * 2 - 1) / height);
          }
          return applySamplingMap(image, gridSampleMap({ x, y }, height, width), channels);
        },
      },
    };
  },
};

function clamp1(v: number): number {
  return v < -1 ? -1 : v > 1 ? 1 : v;
}
