import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../rng.ts';

/**
 * Named variables of one model: trainable weights and non-trainable state (BatchNorm
 * running statistics). Insertion order is the serialisation order.
 */
export class Parameters {
  readonly trainable = new Map<string, tf.Variable>();
  readonly state = new Map<string, tf.Variable>();

  constructor(private readonly rng: Rng | undefined) {}

  /** PyTorch's default init for conv/linear: U(-1/sqrt(fan_in), 1/sqrt(fan_in)). */
  uniformFanIn(name: string, shape: number[], fanIn: number): tf.Variable {
    const bound = 1 / Math.sqrt(fanIn);
    const size = shape.reduce((a, b) => a * b, 1);
    const values = new Float32Array(size);
    const rng = this.requireRng();
    for (let i = 0; i < size; i++) values[i] = (rng.next() * 2 - 1) * bound;
    return this.add(this.trainable, name, tf.tensor(values, shape), true);
  }

  constant(name: string, shape: number[], value: number, trainable = true): tf.Variable {
    return this.add(trainable ? this.trainable : this.state, name, tf.fill(shape, value), trainable);
  }

  all(): [string, tf.Variable][] {
    return [...this.trainable, ...this.state];
  }

  dispose(): void {
    for (const [, v] of this.all()) v.dispose();
    this.trainable.clear();
    this.state.clear();
  }

  private add(
    into: Map<string, tf.Variable>,
    name: string,
    init: tf.Tensor,
    trainable: boolean,
  ): tf.Variable {
    if (this.trainable.has(name) || this.state.has(name)) throw new Error(`duplicate parameter ${name}`);
    const variable = tf.variable(init, trainable);
    init.dispose();
    into.set(name, variable);
    return variable;
  }

  private requireRng(): Rng {
    if (!this.rng) throw new Error('random init needs a seeded Rng');
    return this.rng;
  }
}
