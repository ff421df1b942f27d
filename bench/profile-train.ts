/**
 * Where a training step's time goes, per kernel (tf.profile): node --import tsx
 * bench/profile-train.ts [small-cnn|resnet9] [--backend NAME]. Prints kernels by total ms.
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import '../sim/train/register-gradients.ts';
import { loadBackend } from '../sim/backend/loader.ts';
import { parseBackendName } from '../sim/backend/select.ts';
import { createModel, defaultModelSpec } from '../sim/models/index.ts';
import { REFERENCE_NETS } from './nets.ts';

const { values, positionals } = parseArgs({
  options: { backend: { type: 'string' }, batch: { type: 'string', default: '128' } },
  allowPositionals: true,
});
await loadBackend(values.backend ? { backend: parseBackendName(values.backend, '--backend') } : {});
const net = REFERENCE_NETS.find((n) => n.name === (positionals[0] ?? 'small-cnn'));
if (!net) throw new Error(`unknown net ${positionals[0]}`);
const batch = Number(values.batch);
const model = createModel(
  defaultModelSpec(net.arch, { height: net.size, width: net.size, channels: net.channels }, net.classes, {
    widthMultiplier: net.width,
  }),
  1,
);
const x = tf.randomUniform([batch, net.size, net.size, net.channels]) as tf.Tensor4D;
const y = tf.oneHot(tf.randomUniform([batch], 0, net.classes, 'int32') as tf.Tensor1D, net.classes);
const step = (): void =>
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(y, model.apply(x, true)) as tf.Scalar,
      [...model.trainable.values()],
    );
    value.dataSync();
    Object.values(grads).forEach((g) => g.dataSync());
  });
step();
const started = performance.now();
const info = await tf.profile(step);
const wall = performance.now() - started;
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of info.kernels) {
  const e = byKernel.get(k.name) ?? { ms: 0, calls: 0 };
  e.ms += Number(k.kernelTimeMs);
  e.calls++;
  byKernel.set(k.name, e);
}
const total = [...byKernel.values()].reduce((s, e) => s + e.ms, 0);
console.log(`${net.name}, batch ${batch}: wall ${wall.toFixed(0)} ms, kernels ${total.toFixed(0)} ms`);
for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms)) {
  console.log(`${name.padEnd(24)} ${e.ms.toFixed(1).padStart(8)} ms ${String(e.calls).padStart(5)} calls`);
}
