import type { ImageShape } from '../data/image-set.ts';
import { z } from 'zod';
import { assertShape, param, type AttackDefinition, type BadNetsConfig } from './types.ts';

/** Default patch side: 3 for MNIST-sized images, 4 for 32x32 (docs/data-and-attacks.md). */
export function defaultPatchSize(shape: ImageShape): number {
  return Math.min(shape.height, shape.width) <= 28 ? 3 : 4;
}

/**
 * Top-left corner of the patch: bottom-right with a one-pixel margin, so a 3x3 patch on
 * 28x28 covers rows/cols 24-26 and a 4x4 patch on 32x32 rows/cols 27-30.
 */
export function patchOrigin(shape: ImageShape, size: number): { row: number; col: number } {
  return { row: shape.height - 1 - size, col: shape.width - 1 - size };
}

export const badnets: AttackDefinition<'badnets'> = {
  kind: 'badnets',
  description: 'BadNets: a solid square patch in the bottom-right corner',
  visibilityKnob: 'size',
  schema: z
    .object({
      kind: z.literal('badnets'),
      size: param.int().min(1).optional(),
      value: param.min(0).max(1).optional(),
    })
    .strict(),
  seedParam: null,
  resolve(config, shape) {
    const size = config.size ?? defaultPatchSize(shape);
    if (size < 1 || size > Math.min(shape.height, shape.width) - 1) {
      throw new Error(`badnets patch size ${size} does not fit a ${shape.height}x${shape.width} image`);
    }
    return { kind: 'badnets', size, value: config.value ?? 1 };
  },
  create(config: Required<BadNetsConfig>, shape) {
    const { row, col } = patchOrigin(shape, config.size);
    return {
      config,
      shape,
      stamp(image, imageShape) {
        assertShape(shape, imageShape);
        const out = image.slice();
        for (let r = row; r < row + config.size; r++) {
          for (let c = col; c < col + config.size; c++) {
            out.fill(
              config.value,
              (r * shape.width + c) * shape.channels,
              (r * shape.width + c + 1) * shape.channels,
            );
          }
        }
        return out;
      },
    };
  },
};
