/**
 * Where a training step's time goes, per kernel: node --import tsx bench/profile-train.ts
 * [small-cnn|resnet9] [--batch N] [--steps N] [--backend NAME]. On the fast path (the
 * native training step) it prints the native net's time per plan node, forward and
 * backward; with PERMANENCE_NATIVE_STEP=0 or off the fast path, tfjs's kernels (tf.profile).
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import '../sim/train/register-gradients.ts';
import { loadBackend } from '../sim/backend/loader.ts';
import { NativeNet } from '../sim/backend/native-net/native-net.ts';
import { parseBackendName } from '../sim/backend/select.ts';
import { createModel, defaultModelSpec, type Model } from '../sim/models/index.ts';
import { createRng, permutation } from '../sim/rng.ts';
import { DEFAULT_SGD } from '../sim/train/sgd.ts';
import { REFERENCE_NETS, type BenchNet } from './nets.ts';

const { values, positionals } = parseArgs({
  options: {
    backend: { type: 'string' },
    batch: { type: 'string', default: '128' },
    steps: { type: 'string', default: '20' },
  },
  allowPositionals: true,
});
await loadBackend(values.backend ? { backend: parseBackendName(values.backend, '--backend') } : {});
const net = REFERENCE_NETS.find((n) => n.name === (positionals[0] ?? 'small-cnn'));
if (!net) throw new Error(`unknown net ${positionals[0]}`);
const batch = Number(values.batch);
const steps = Number(values.steps);
const model = createModel(
  defaultModelSpec(net.arch, { height: net.size, width: net.size, channels: net.channels }, net.classes, {
    widthMultiplier: net.width,
  }),
  1,
);
const native = NativeNet.forModel(model);
if (native) profileNative(native, net);
else await profileTfjs(model, net);

function profileNative(nativeNet: NativeNet, bench: BenchNet): void {
  const rng = createRng('profile');
  const count = batch * 4;
  const images = Float32Array.from({ length: count * bench.size * bench.size * bench.channels }, () =>
    rng.next(),
  );
  const labels = Int32Array.from({ length: count }, () => rng.int(bench.classes));
  const order = permutation(count, rng);
  const step = (i: number): number =>
    nativeNet.trainStep(
      images,
      labels,
      order.subarray((i % 4) * batch, (i % 4) * batch + batch),
      0.01,
      DEFAULT_SGD,
    );
  for (let i = 0; i < 3; i++) step(i);
  nativeNet.timings();
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < steps; i++) step(i);
  const wall = (performance.now() - started) / steps;
  const cpu = process.cpuUsage(cpuBefore);
  // CPU time per step (all threads): what a step costs, which other jobs move much less.
  const cpuMs = (cpu.user + cpu.system) / 1000 / steps;
  const rows = nativeNet.timings() ?? [];
  const total = rows.reduce((s, r) => s + r.forwardMs + r.backwardMs, 0) / steps;
  console.log(
    `${bench.name}, batch ${batch}, native step: wall ${wall.toFixed(2)} ms/step (${((batch * 1000) / wall).toFixed(0)} samples/s), CPU ${cpuMs.toFixed(2)} ms/step, timed ${total.toFixed(2)} ms`,
  );
  console.log(`${'node'.padEnd(28)} ${'forward'.padStart(9)} ${'backward'.padStart(9)}  ms/step`);
  for (const r of rows) {
    console.log(
      `${r.label.padEnd(28)} ${(r.forwardMs / steps).toFixed(2).padStart(9)} ${(r.backwardMs / steps).toFixed(2).padStart(9)}`,
    );
  }
}

async function profileTfjs(m: Model, bench: BenchNet): Promise<void> {
  const x = tf.randomUniform([batch, bench.size, bench.size, bench.channels]) as tf.Tensor4D;
  const y = tf.oneHot(tf.randomUniform([batch], 0, bench.classes, 'int32') as tf.Tensor1D, bench.classes);
  const step = (): void =>
    tf.tidy(() => {
      const { value, grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(y, m.apply(x, true)) as tf.Scalar,
        [...m.trainable.values()],
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
  console.log(`${bench.name}, batch ${batch}: wall ${wall.toFixed(0)} ms, kernels ${total.toFixed(0)} ms`);
  for (const [name, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`${name.padEnd(24)} ${e.ms.toFixed(1).padStart(8)} ms ${String(e.calls).padStart(5)} calls`);
  }
}
