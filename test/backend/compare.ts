import * as tf from '@tensorflow/tfjs-core';
import { createRng } from '../../sim/rng.ts';

/** max |a - b| / max |b|: the error measure of the gradient checks. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

/** Seeded values in [-1, 1), made in plain JS so that every backend gets the same ones. */
export function randomValues(shape: number[], seed: number): Float32Array {
  const rng = createRng(`backend-test:${seed}`);
  return Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => rng.next() * 2 - 1);
}

/**
 * Runs `fn` on wasm and on the cpu backend with the same input values; returns each
 * output's values for both. The cpu backend is tfjs's reference implementation.
 */
export async function onBothBackends(
  fn: (...inputs: tf.Tensor[]) => tf.Tensor[],
  inputs: { shape: number[]; values: Float32Array }[],
): Promise<{ wasm: Float32Array[]; cpu: Float32Array[] }> {
  const results: Record<string, Float32Array[]> = {};
  for (const backend of ['wasm', 'cpu']) {
    await tf.setBackend(backend);
    results[backend] = tf.tidy(() => {
      const ts = inputs.map((i) => tf.tensor(i.values, i.shape));
      return fn(...ts).map((t) => t.dataSync() as Float32Array);
    });
  }
  await tf.setBackend('wasm');
  return { wasm: results.wasm, cpu: results.cpu };
}
