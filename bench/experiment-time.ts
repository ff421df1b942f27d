/**
 * npm run bench:experiment: wall time of one full protocol seed (F0 and every update, with
 * evaluation and the static baseline) in Permanence and, in the same run, in PyTorch CPU
 * (bench/experiment_bench.py, 2 threads) on the same data; prints the ratio and writes
 * bench/results/experiment-time-<time>.json. The defaults are the protocol's: MNIST, small
 * CNN, BadNets in D0, F0 40 epochs at batch 512 with STLR 0.5, 15 updates of 5 epochs at
 * batch 64 with SGD 0.01 on the 4,000-image pool. Permanence's time covers everything
 * runSeed does (data, drift, poisoning, training, evaluation); PyTorch's only its training
 * and evaluation, on arrays prepared here. Options: --seed N, --f0-epochs N, --updates N.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { createTrigger, poisonSet, triggeredTestSet } from '../sim/attacks/index.ts';
import { loadBackend } from '../sim/backend/loader.ts';
import { nativeNetAvailable } from '../sim/backend/native-net/native-net.ts';
import type { ImageSet } from '../sim/data/image-set.ts';
import { loadDataset, type DatasetName } from '../sim/data/registry.ts';
import { applyDrift } from '../sim/drift/index.ts';
import { isPoisoned, parseExperimentConfig, type ExperimentConfig } from '../sim/experiment/config.ts';
import { runSeed } from '../sim/experiment/runner.ts';
import { createRng } from '../sim/rng.ts';
import { SYSTEM_PYTHON, torchAvailability } from './pytorch-throughput.ts';

const run = promisify(execFile);
const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '0' },
    'f0-epochs': { type: 'string', default: '40' },
    updates: { type: 'string', default: '15' },
  },
});
const seed = Number(values.seed);
const config = parseExperimentConfig({
  f0: { epochs: Number(values['f0-epochs']), batchSize: 512, schedule: 'stlr:0.5' },
  update: { epochs: 5, batchSize: 64, schedule: 'sgd:0.01' },
  updates: Number(values.updates),
  seeds: [seed],
});

const backend = await loadBackend();
const started = performance.now();
const cpuBefore = process.cpuUsage();
const result = await runSeed(config, seed);
const permanenceSeconds = (performance.now() - started) / 1000;
const cpuUsed = process.cpuUsage(cpuBefore);
const permanenceCpuSeconds = (cpuUsed.user + cpuUsed.system) / 1e6;
console.log(`permanence: ${permanenceSeconds.toFixed(1)} s (${permanenceCpuSeconds.toFixed(1)} CPU-s)`);

/** The sets runSeed trained and evaluated on, rebuilt with the same seeds (runner.ts). */
function protocolData(cfg: ExperimentConfig): Record<string, ImageSet> {
  const data = loadDataset(cfg.dataset as DatasetName, seed);
  if (!cfg.attack || cfg.poolSubset) throw new Error('bench:experiment expects an attack and the whole pool');
  const trigger = createTrigger(cfg.attack, data.shape);
  const sets: Record<string, ImageSet> = {};
  const poisoned = (set: ImageSet, index: number): ImageSet =>
    isPoisoned(cfg, index)
      ? poisonSet(set, trigger, {
          ratio: cfg.poisonRatio,
          target: cfg.target,
          rng: createRng(`poison:${seed}:${index}`),
        }).set
      : set;
  sets.d0 = poisoned(data.d0, 0);
  for (let i = 1; i <= cfg.updates; i++)
    sets[`update${i}`] = poisoned(applyDrift(data.pool, cfg.drift, i), i);
  for (let i = 0; i <= cfg.updates; i++) {
    const clean = applyDrift(data.test, cfg.drift, i);
    sets[`test${i}.clean`] = clean;
    sets[`test${i}.triggered`] = triggeredTestSet(clean, trigger, cfg.target);
  }
  return sets;
}

interface TorchRun {
  torch: string;
  threads: number;
  seconds: number;
  cpuSeconds: number;
  models: { acc: number; asr: number }[];
  static: { acc: number; asr: number }[];
}

async function runPytorch(cfg: ExperimentConfig): Promise<TorchRun | { skipped: string }> {
  const availability = await torchAvailability();
  if (!availability.ok) return { skipped: availability.reason };
  const dir = await mkdtemp(join(os.tmpdir(), 'permanence-experiment-'));
  try {
    const sets = protocolData(cfg);
    const arrays: Record<string, { dtype: string }> = {};
    for (const [name, set] of Object.entries(sets)) {
      await writeFile(
        join(dir, `${name}.images`),
        new Uint8Array(set.images.buffer, set.images.byteOffset, set.images.byteLength),
      );
      await writeFile(
        join(dir, `${name}.labels`),
        new Uint8Array(set.labels.buffer, set.labels.byteOffset, set.labels.byteLength),
      );
      arrays[`${name}.images`] = { dtype: 'float32' };
      arrays[`${name}.labels`] = { dtype: 'int32' };
    }
    const { height, width, channels } = sets.d0;
    const meta = {
      seed,
      threads: 2,
      shape: [height, width, channels],
      classes: sets.d0.numClasses,
      updates: cfg.updates,
      f0: cfg.f0,
      update: cfg.update,
      staticBaseline: cfg.staticBaseline,
      arrays,
    };
    await writeFile(join(dir, 'meta.json'), JSON.stringify(meta));
    const script = fileURLToPath(new URL('./experiment_bench.py', import.meta.url));
    const { stdout } = await run(SYSTEM_PYTHON, [script, dir], { maxBuffer: 1 << 22 });
    return JSON.parse(stdout) as TorchRun;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const torch = await runPytorch(config);
const ratio = 'seconds' in torch ? permanenceSeconds / torch.seconds : undefined;
// CPU-seconds of all threads: what the seed costs, much less sensitive than wall time to
// other jobs on a shared machine.
const cpuRatio = 'seconds' in torch ? permanenceCpuSeconds / torch.cpuSeconds : undefined;
const pct = (v: number | null | undefined): string =>
  v === null || v === undefined ? '-' : (v * 100).toFixed(1);
console.log(
  `\nbackend: ${backend.name}; native addon ${backend.native.loaded ? 'loaded' : 'not loaded'} (${backend.native.detail}); training step: ${nativeNetAvailable() ? 'native' : 'tfjs ops'}`,
);
console.log(
  `load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} on ${os.cpus().length} cpus`,
);
if ('seconds' in torch) {
  console.log(
    `pytorch ${torch.torch}, ${torch.threads} threads: ${torch.seconds.toFixed(1)} s (${torch.cpuSeconds.toFixed(1)} CPU-s)`,
  );
  console.log(`permanence / pytorch wall time: ${ratio?.toFixed(2)}x; CPU time: ${cpuRatio?.toFixed(2)}x\n`);
  console.log('model  acc (perm / torch)  ASR (perm / torch)');
  result.models.forEach((m, i) => {
    const t = torch.models[i];
    console.log(
      `F${String(i).padEnd(4)} ${pct(m.cleanAccuracy).padStart(6)} / ${pct(t?.acc).padStart(5)}      ${pct(m.asr).padStart(6)} / ${pct(t?.asr).padStart(5)}`,
    );
  });
} else {
  console.log(`pytorch: skipped (${torch.skipped})`);
}

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const outDir = new URL('./results/', import.meta.url);
await mkdir(outDir, { recursive: true });
const file = new URL(`experiment-time-${stamp}.json`, outDir);
await writeFile(
  file,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      config,
      backend,
      nativeAddonLoaded: backend.native.loaded,
      nativeTrainingStep: nativeNetAvailable(),
      cpus: os.cpus().length,
      loadavg: os.loadavg(),
      permanence: {
        seconds: permanenceSeconds,
        cpuSeconds: permanenceCpuSeconds,
        models: result.models.map((m) => ({ acc: m.cleanAccuracy, asr: m.asr })),
      },
      pytorch: torch,
      ratio,
      cpuRatio,
    },
    null,
    2,
  ),
);
console.log(`\nwrote ${file.pathname}`);
