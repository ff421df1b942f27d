/** Kernel profile of one scan step's backward pass (where does a trigger gradient spend its time?). */
import { readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import { loadBackend } from '../sim/backend/loader.ts';
import '../sim/train/register-gradients.ts';
import { deserializeModel } from '../sim/models/index.ts';

const [path = 'runs/nc-badnets-sgd/models/seed-0/F0.bin', n = '200'] = process.argv.slice(2);
await loadBackend();
const model = deserializeModel(new Uint8Array(await readFile(path)));
const x = tf.randomUniform([Number(n), 28, 28, 1]) as tf.Tensor4D;
const gradOfX = (): void => {
  tf.tidy(() => {
    tf.grad((xx: tf.Tensor) => tf.sum(model.apply(xx as tf.Tensor4D, false)))(x).dataSync();
  });
};
gradOfX();
const info = await tf.profile(gradOfX);
const byKernel = new Map<string, number>();
for (const k of info.kernels) byKernel.set(k.name, (byKernel.get(k.name) ?? 0) + Number(k.kernelTimeMs));
for (const [name, ms] of [...byKernel].sort((a, b) => b[1] - a[1]))
  console.log(`${name.padEnd(28)} ${ms.toFixed(1)} ms`);
