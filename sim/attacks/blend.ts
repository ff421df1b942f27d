import { imageSize, type ImageShape } from '../data/image-set.ts';
import { createRng } from '../rng.ts';
import { z } from 'zod';
import { assertShape, param, type AttackDefinition, type BlendConfig } from './types.ts';

/** The fixed key: uniform noise in [0, 1) per pixel and channel, drawn from the key seed. */
export function blendKey(shape: ImageShape, keySeed: number): Float32Array {
  const rng = createRng(`blend-key:${keySeed}`);
  const key = new Float32Array(imageSize(shape));
  for (let i = 0; i < key.length; i++) key[i] = rng.next();
  return key;
}

export const blend: AttackDefinition<'blend'> = {
  kind: 'blend',
  description: "Blend: x' = (1 - a) x + a k with a fixed uniform-noise key k",
  visibilityKnob: 'alpha',
  schema: z
    .object({
      kind: z.literal('blend'),
      alpha: param.min(0).max(1).optional(),
      keySeed: param.int().optional(),
    })
    .strict(),
  seedParam: 'keySeed',
  resolve(config) {
    const alpha = config.alpha ?? 0.2;
    if (!(alpha >= 0 && alpha <= 1)) throw new Error(`blend alpha must be in [0, 1], got ${alpha}`);
    return { kind: 'blend', alpha, keySeed: config.keySeed ?? 0 };
  },
  create(config: Required<BlendConfig>, shape) {
    const key = blendKey(shape, config.keySeed);
    const a = config.alpha;
    return {
      config,
      shape,
      stamp(image, imageShape) {
        assertShape(shape, imageShape);
        const out = new Float32Array(image.length);
        for (let i = 0; i < image.length; i++) out[i] = (1 - a) * image[i] + a * key[i];
        return out;
      },
    };
  },
};
