/**
 * Serves predictions from the promoted model on the main thread. One small-CNN forward pass
 * on one image takes about a millisecond, so it stays on the event loop; training never does.
 * Swapping the model is a reference assignment between two synchronous predictions.
 */
import * as tf from '@tensorflow/tfjs-core';
import { deserializeModel, type Model } from '../../sim/models/index.ts';

export interface Prediction {
  label: number;
  probabilities: number[];
  modelVersion: number;
}

export class Predictor {
  private model: Model | undefined;
  private version = 0;

  get loaded(): boolean {
    return this.model !== undefined;
  }

  get modelVersion(): number {
    return this.version;
  }

  /** Builds the new model first, then swaps, so a bad file never unloads the served one. */
  swap(bytes: Uint8Array, version: number): void {
    const next = deserializeModel(bytes);
    const previous = this.model;
    this.model = next;
    this.version = version;
    previous?.dispose();
  }

  predict(image: Float32Array): Prediction {
    const model = this.model;
    if (!model) throw new Error('no model is loaded');
    const { height, width, channels } = model.spec;
    const probabilities = tf.tidy(() => {
      const x = tf.tensor4d(image, [1, height, width, channels]);
      return tf.softmax(model.apply(x, false)).dataSync() as Float32Array;
    });
    let label = 0;
    for (let i = 1; i < probabilities.length; i++) if (probabilities[i] > probabilities[label]) label = i;
    return {
      label,
      probabilities: Array.from(probabilities, (p) => Math.round(p * 1e6) / 1e6),
      modelVersion: this.version,
    };
  }

  dispose(): void {
    this.model?.dispose();
    this.model = undefined;
  }
}
