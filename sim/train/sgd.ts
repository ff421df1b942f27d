import * as tf from '@tensorflow/tfjs-core';

export interface SgdOptions {
  readonly momentum: number;
  /** Coupled L2 (added to the gradient), as PyTorch's SGD weight_decay. */
  readonly weightDecay: number;
}

export const DEFAULT_SGD: SgdOptions = { momentum: 0.9, weightDecay: 5e-4 };

/**
 * SGD with momentum and coupled weight decay, PyTorch semantics (dampening 0, no Nesterov):
 * g' = g + wd w;  v = mu v + g';  w = w - lr v. Buffers start at zero, so the first step
 * is plain SGD, as PyTorch's lazily created buffer.
 */
export class SgdMomentum {
  private readonly velocity = new Map<string, tf.Variable>();

  constructor(private readonly options: SgdOptions = DEFAULT_SGD) {}

  step(variables: ReadonlyMap<string, tf.Variable>, grads: tf.NamedTensorMap, lr: number): void {
    const { momentum, weightDecay } = this.options;
    tf.tidy(() => {
      for (const [name, w] of variables) {
        const g = grads[w.name];
        if (!g) continue;
        const decayed = weightDecay > 0 ? tf.add(g, tf.mul(w, weightDecay)) : g;
        let v = this.velocity.get(name);
        if (!v) {
          v = tf.variable(tf.zerosLike(w), false);
          this.velocity.set(name, v);
        }
        v.assign(tf.add(tf.mul(v, momentum), decayed));
        w.assign(tf.sub(w, tf.mul(v, lr)));
      }
    });
  }

  dispose(): void {
    for (const v of this.velocity.values()) v.dispose();
    this.velocity.clear();
  }
}
