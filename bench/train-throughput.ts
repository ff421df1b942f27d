/**
 * npm run bench:train: training and inference throughput of the two reference nets at
 * batch 64, 128 and 512 (the protocol's update, reference and F0 batches) on Permanence's
 * backend and, in the same run, in PyTorch CPU (2 threads) when the system python has it.
 * Prints a table and writes bench/results/train-throughput-<time>.json (trainRatio and
 * inferRatio per net and batch, whether the native addon and the native training step
 * were used). Options: --samples N (timed samples per measurement, default 1280: 20 steps
 * at batch 64, 10 at 128, 3 at 512), --warmup N (steps, default 2), --rounds N (default 3;
 * each round measures every net and batch in Permanence and right after in PyTorch, so that
 * both see the same machine load; the table shows medians), --batches 64,128,512,
 * --backend NAME.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { median } from '../sim/metrics/statistics.ts';
import os from 'node:os';
import { parseArgs } from 'node:util';
import '../sim/train/register-gradients.ts';
import { loadBackend } from '../sim/backend/loader.ts';
import { nativeNetAvailable } from '../sim/backend/native-net/native-net.ts';
import { parseBackendName } from '../sim/backend/select.ts';
import { REFERENCE_NETS, type BenchConfig, type Throughput } from './nets.ts';
import { measurePytorch, type PytorchResult } from './pytorch-throughput.ts';
import { measureTfjs } from './tfjs-throughput.ts';

const { values } = parseArgs({
  options: {
    samples: { type: 'string', default: '1280' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
    batches: { type: 'string', default: '64,128,512' },
    backend: { type: 'string' },
  },
});
const batches = values.batches.split(',').map(Number);
const configFor = (batch: number): BenchConfig => ({
  batch,
  warmup: Number(values.warmup),
  steps: Math.max(3, Math.round(Number(values.samples) / batch)),
  threads: 2,
});

const backend = await loadBackend(
  values.backend ? { backend: parseBackendName(values.backend, '--backend') } : {},
);
type Measured = Throughput & { readonly batch: number };
const medianOf = (net: string, batch: number, all: Measured[]): Measured => {
  const mine = all.filter((t) => t.net === net && t.batch === batch);
  return {
    net,
    batch,
    trainSps: median(mine.map((t) => t.trainSps)),
    trainCpuSps: median(mine.map((t) => t.trainCpuSps ?? Number.NaN)),
    inferSps: median(mine.map((t) => t.inferSps)),
  };
};

const cells = REFERENCE_NETS.flatMap((net) => batches.map((batch) => ({ net, batch })));
const rounds: { permanence: Measured[]; pytorch: Measured[] } = { permanence: [], pytorch: [] };
let torchInfo: PytorchResult | undefined;
for (let round = 0; round < Number(values.rounds); round++) {
  for (const { net, batch } of cells) {
    const config = configFor(batch);
    rounds.permanence.push({ ...(await measureTfjs(net, config)), batch });
    const torch = await measurePytorch([net], config);
    torchInfo ??= torch;
    if (torch.available) rounds.pytorch.push(...torch.results.map((r) => ({ ...r, batch })));
  }
}
const permanence = cells.map(({ net, batch }) => medianOf(net.name, batch, rounds.permanence));
const pytorch = torchInfo;

const fmt = (n: number | undefined): string => (n === undefined ? '-' : n.toFixed(n < 10 ? 2 : 0));
const rows = permanence.map((p) => {
  const t = pytorch?.available ? medianOf(p.net, p.batch, rounds.pytorch) : undefined;
  return {
    net: p.net,
    batch: p.batch,
    permanence: p,
    pytorch: t,
    trainRatio: t ? p.trainSps / t.trainSps : undefined,
    /** The same ratio per CPU-second: what a sample costs, less sensitive to machine load. */
    trainCpuRatio: t?.trainCpuSps && p.trainCpuSps ? p.trainCpuSps / t.trainCpuSps : undefined,
    inferRatio: t ? p.inferSps / t.inferSps : undefined,
  };
});
const nativeStep = nativeNetAvailable();
console.log(`\nbackend: ${backend.name} (kernels: ${backend.kernels.join(', ') || 'none'})`);
console.log(
  `native addon: ${backend.native.loaded ? `loaded (${backend.native.detail})` : `not loaded (${backend.native.detail})`}; training step: ${nativeStep ? 'native (one addon call per step)' : 'tfjs ops'}`,
);
// The loader sets OMP_WAIT_POLICY (passive unless given) before PyTorch starts; both share it.
const ompWaitPolicy = process.env.OMP_WAIT_POLICY ?? 'default';
console.log(
  `OpenMP wait policy (native kernels and PyTorch): ${ompWaitPolicy}; load average ${os.loadavg()[0].toFixed(1)}`,
);
if (pytorch?.available) console.log(`pytorch: ${pytorch.version}, ${pytorch.threads} threads`);
else console.log(`pytorch: skipped (${pytorch?.reason ?? 'not run'})`);
console.log(
  `${values.warmup} warm-up steps + about ${values.samples} timed samples per cell, median of ${values.rounds} rounds; samples/s\n`,
);
const header = [
  'net',
  'batch',
  'train',
  'torch train',
  'ratio',
  'cpu-time ratio',
  'infer',
  'torch infer',
  'ratio',
];
const table = rows.map((r) => [
  r.net,
  String(r.batch),
  fmt(r.permanence.trainSps),
  fmt(r.pytorch?.trainSps),
  fmt(r.trainRatio),
  fmt(r.trainCpuRatio),
  fmt(r.permanence.inferSps),
  fmt(r.pytorch?.inferSps),
  fmt(r.inferRatio),
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i].length)));
for (const row of [header, ...table]) console.log(row.map((cell, i) => cell.padStart(widths[i])).join('  '));

const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const outDir = new URL('./results/', import.meta.url);
await mkdir(outDir, { recursive: true });
const file = new URL(`train-throughput-${stamp}.json`, outDir);
await writeFile(
  file,
  JSON.stringify(
    {
      date: new Date().toISOString(),
      config: { batches, samples: Number(values.samples), warmup: Number(values.warmup), threads: 2 },
      backend,
      nativeAddonLoaded: backend.native.loaded,
      nativeTrainingStep: nativeStep,
      cpus: os.cpus().length,
      loadavg: os.loadavg(),
      pytorch,
      rows,
      rounds,
    },
    null,
    2,
  ),
);
console.log(`\nwrote ${file.pathname}`);
