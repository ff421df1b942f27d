import type * as tf from '@tensorflow/tfjs-core';
import { keysEnum } from '../registry-enum.ts';
import { createRng } from '../rng.ts';
import type { ImageShape } from '../data/image-set.ts';
import type { Model, ModelArch, ModelSpec } from './model.ts';
import { Parameters } from './parameters.ts';
import { buildResnet9 } from './resnet9.ts';
import { buildSmallCnn } from './small-cnn.ts';

export type { Model, ModelArch, ModelSpec } from './model.ts';
export { serializeModel, deserializeModel } from './serialize.ts';

type Builder = (spec: ModelSpec, params: Parameters) => (x: tf.Tensor4D, training: boolean) => tf.Tensor2D;

/** The architectures, by name. */
export const ARCHITECTURES: Readonly<Record<ModelArch, { build: Builder; description: string }>> = {
  'small-cnn': { build: buildSmallCnn, description: 'conv16-pool-conv32-pool-dense, BN, logits x0.125' },
  resnet9: { build: buildResnet9, description: 'fast-training ResNet-9, width multiplier, logits x0.125' },
};
export const architectureSchema = keysEnum(ARCHITECTURES);

export function defaultModelSpec(
  arch: ModelArch,
  shape: ImageShape,
  numClasses: number,
  overrides: Partial<Pick<ModelSpec, 'widthMultiplier' | 'logitScale'>> = {},
): ModelSpec {
  return {
    arch,
    height: shape.height,
    width: shape.width,
    channels: shape.channels,
    numClasses,
    widthMultiplier: overrides.widthMultiplier ?? (arch === 'resnet9' ? 0.25 : 1),
    logitScale: overrides.logitScale ?? 0.125,
  };
}

/** A freshly initialised model; the same spec and seed give the same weights. */
export function createModel(spec: ModelSpec, seed: number | string): Model {
  return instantiate(spec, new Parameters(createRng(`model:${seed}`)));
}

/** Builds the graph around given parameters (used by deserialisation). */
export function instantiate(spec: ModelSpec, params: Parameters): Model {
  const arch = ARCHITECTURES[spec.arch];
  if (!arch) throw new Error(`unknown model architecture '${spec.arch}'`);
  const forward = arch.build(spec, params);
  return {
    spec,
    apply: forward,
    trainable: params.trainable,
    state: params.state,
    dispose: () => params.dispose(),
  };
}
