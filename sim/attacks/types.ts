import { z } from 'zod';
import type { ImageShape } from '../data/image-set.ts';
import type { Rng } from '../rng.ts';

export interface BadNetsConfig {
  readonly kind: 'badnets';
  /** Side of the square patch in pixels (default 3 up to 28x28, 4 for larger images). */
  readonly size?: number;
  /** Patch value in every channel (default 1, white). */
  readonly value?: number;
}

export interface BlendConfig {
  readonly kind: 'blend';
  /** Blend ratio a in x' = (1 - a) x + a k (default 0.2). */
  readonly alpha?: number;
  /** Seed of the uniform-noise key k (default 0). */
  readonly keySeed?: number;
}

export interface WanetConfig {
  readonly kind: 'wanet';
  /** Warp strength s (default 0.5). */
  readonly strength?: number;
  /** Side k of the random control grid (default 4). */
  readonly gridSize?: number;
  /** Noise-mode images per poisoned image (default 2). */
  readonly crossRatio?: number;
  /** Seed of the control grid (default 0). */
  readonly seed?: number;
}

export type AttackConfig = BadNetsConfig | BlendConfig | WanetConfig;
export type AttackKind = AttackConfig['kind'];
export type AttackConfigOf<K extends AttackKind> = Extract<AttackConfig, { kind: K }>;

/** A trigger: a pure function that stamps one HWC image. */
export interface Trigger {
  /** The configuration with every default filled in (enough to rebuild the same trigger). */
  readonly config: AttackConfig;
  readonly shape: ImageShape;
  /** A new image with the trigger applied; the input is not modified. */
  stamp(image: Float32Array, shape: ImageShape): Float32Array;
  /**
   * A noise mode (WaNet): `crossRatio` extra images per poisoned one are replaced by a
   * randomly perturbed transform and keep their true label, so that the model learns the
   * exact trigger rather than any warp.
   */
  readonly noiseMode?: {
    readonly crossRatio: number;
    stamp(image: Float32Array, shape: ImageShape, rng: Rng): Float32Array;
  };
}

/** An attack kind, registered in one list (like a tfjs kernel config). */
export interface AttackDefinition<K extends AttackKind> {
  readonly kind: K;
  readonly description: string;
  /** The name of the knob that makes the trigger more visible (docs/data-and-attacks.md). */
  readonly visibilityKnob: keyof Omit<AttackConfigOf<K>, 'kind'>;
  /** Its parameters and their bounds, for configs from any source (CLI text, JSON, YAML, the API). */
  readonly schema: z.ZodType<AttackConfigOf<K>, z.ZodTypeDef, unknown>;
  /**
   * The parameter that seeds the trigger's random parts (a key, a grid), or null: a live
   * campaign fills it from the campaign's seed, so the trigger is the same in every update.
   */
  readonly seedParam: Exclude<keyof AttackConfigOf<K>, 'kind'> | null;
  /** Fills in the defaults for an image shape. */
  resolve(config: AttackConfigOf<K>, shape: ImageShape): Required<AttackConfigOf<K>>;
  create(config: Required<AttackConfigOf<K>>, shape: ImageShape): Trigger;
}

export function assertShape(expected: ImageShape, got: ImageShape): void {
  if (expected.height !== got.height || expected.width !== got.width || expected.channels !== got.channels) {
    throw new Error(
      `trigger built for ${expected.height}x${expected.width}x${expected.channels}, ` +
        `got an image of ${got.height}x${got.width}x${got.channels}`,
    );
  }
}

/** A numeric attack parameter: numbers, or numeric strings from `kind:key=value` text. */
export const param = z.coerce.number().finite();
