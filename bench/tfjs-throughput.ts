import * as tf from '@tensorflow/tfjs-core';
import { createImageSet, type ImageSet } from '../sim/data/image-set.ts';
import { createModel, defaultModelSpec, type Model } from '../sim/models/index.ts';
import { createRng } from '../sim/rng.ts';
import { train } from '../sim/train/trainer.ts';
import type { BenchConfig, BenchNet, Throughput } from './nets.ts';

function randomSet(net: BenchNet, count: number): ImageSet {
  const rng = createRng(`bench:${net.name}`);
  const images = new Float32Array(count * net.size * net.size * net.channels);
  for (let i = 0; i < images.length; i++) images[i] = rng.next();
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) labels[i] = Math.floor(rng.next() * net.classes);
  return createImageSet(
    { height: net.size, width: net.size, channels: net.channels },
    images,
    labels,
    net.classes,
  );
}

/** Training through the project's own trainer (batches, SGD-momentum, loss reads included). */
async function trainThroughput(
  model: Model,
  data: ImageSet,
  config: BenchConfig,
  steps: number,
): Promise<{ wall: number; cpu: number }> {
  const cpuBefore = process.cpuUsage();
  const report = await train(model, data, {
    epochs: 1,
    batchSize: config.batch,
    schedule: { kind: 'constant', lr: 0.01 },
    seed: 1,
    progressEvery: steps,
  });
  if (report.steps !== steps) throw new Error(`expected ${steps} steps, ran ${report.steps}`);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  return { wall: report.samplesPerSecond, cpu: data.count / Math.max(cpuSeconds, 1e-9) };
}

async function inferThroughput(model: Model, x: tf.Tensor4D, steps: number): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < steps; i++) {
    // tidy: the layers' intermediates must not pile up on the wasm heap.
    const logits = tf.tidy(() => model.apply(x, false));
    await logits.data();
    logits.dispose();
  }
  return (x.shape[0] * steps) / ((performance.now() - started) / 1000);
}

/** Samples/s of one reference net on the active tfjs backend, after warm-up. */
export async function measureTfjs(net: BenchNet, config: BenchConfig): Promise<Throughput> {
  const model = createModel(
    defaultModelSpec(net.arch, { height: net.size, width: net.size, channels: net.channels }, net.classes, {
      widthMultiplier: net.width,
    }),
    1,
  );
  try {
    const warm = randomSet(net, config.batch * config.warmup);
    const timed = randomSet(net, config.batch * config.steps);
    await trainThroughput(model, warm, config, config.warmup);
    const { wall: trainSps, cpu: trainCpuSps } = await trainThroughput(model, timed, config, config.steps);
    const x = tf.tensor4d(timed.images.subarray(0, config.batch * net.size * net.size * net.channels), [
      config.batch,
      net.size,
      net.size,
      net.channels,
    ]);
    await inferThroughput(model, x, config.warmup);
    const inferSps = await inferThroughput(model, x, config.steps);
    x.dispose();
    return { net: net.name, trainSps, trainCpuSps, inferSps };
  } finally {
    model.dispose();
  }
}
