import type * as tf from '@tensorflow/tfjs-core';

export type ModelArch = 'small-cnn' | 'resnet9';

/** Everything needed to rebuild a model's graph; stored beside its weights. */
export interface ModelSpec {
  readonly arch: ModelArch;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
  /** Channel multiplier: 1 = the paper's widths (ResNet-9 64-128-256-512). */
  readonly widthMultiplier: number;
  /**
   * Logits are multiplied by this before the softmax (the fast-training ResNet-9 recipe).
   * It keeps a small net stable at STLR's max lr 0.5; without it, training diverges.
   */
  readonly logitScale: number;
}

export interface Model {
  readonly spec: ModelSpec;
  /** Logits for an NHWC batch. Training mode uses batch statistics and moves BN running stats. */
  apply(x: tf.Tensor4D, training: boolean): tf.Tensor2D;
  /** Weights the optimiser updates. */
  readonly trainable: ReadonlyMap<string, tf.Variable>;
  /** Non-trainable state (BatchNorm running statistics). */
  readonly state: ReadonlyMap<string, tf.Variable>;
  dispose(): void;
}
