/**
 * npm run bench:train: training and inference throughput of the two reference nets, batch
 * 128, on Permanence's backend and, in the same run, in PyTorch CPU (2 threads) when the
 * system python has it. Prints a table and writes bench/results/train-throughput-<time>.json.
 * Options: --steps N (timed steps, default 10), --warmup N (default 3), --rounds N (default
 * 3; each round measures every net in Permanence and right after in PyTorch, so that both
 * see the same machine load; the table shows medians), --backend NAME.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { median } from '../sim/metrics/statistics.ts';
import os from 'node:os';
import { parseArgs } from 'node:util';
import '../sim/train/register-gradients.ts';
import { loadBackend } from '../sim/backend/loader.ts';
import { parseBackendName } from '../sim/backend/select.ts';
import { REFERENCE_NETS, type BenchConfig, type Throughput } from './nets.ts';
import { measurePytorch, type PytorchResult } from './pytorch-throughput.ts';
import { measureTfjs } from './tfjs-throughput.ts';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '3' },
    rounds: { type: 'string', default: '3' },
    backend: { type: 'string' },
  },
});
const config: BenchConfig = {
  batch: 128,
  warmup: Number(values.warmup),
  steps: Number(values.steps),
  threads: 2,
};

const backend = await loadBackend(
  values.backend ? { backend: parseBackendName(values.backend, '--backend') } : {},
);
const medianOf = (net: string, all: Throughput[]): Throughput => {
  const mine = all.filter((t) => t.net === net);
  return {
    net,
    trainSps: median(mine.map((t) => t.trainSps)),
    inferSps: median(mine.map((t) => t.inferSps)),
  };
};

const rounds: { permanence: Throughput[]; pytorch: PytorchResult[] } = { permanence: [], pytorch: [] };
for (let round = 0; round < Number(values.rounds); round++) {
  for (const net of REFERENCE_NETS) {
    rounds.permanence.push(await measureTfjs(net, config));
    rounds.pytorch.push(await measurePytorch([net], config));
  }
}
const permanence = REFERENCE_NETS.map((net) => medianOf(net.name, rounds.permanence));
const torchRuns = rounds.pytorch.flatMap((r) => (r.available ? r.results : []));
const first = rounds.pytorch[0];
const pytorch: PytorchResult = first.available
  ? { ...first, results: REFERENCE_NETS.map((net) => medianOf(net.name, torchRuns)) }
  : first;

const fmt = (n: number | undefined): string => (n === undefined ? '-' : n.toFixed(n < 10 ? 2 : 0));
const rows = permanence.map((p) => {
  const t = pytorch.available ? pytorch.results.find((r) => r.net === p.net) : undefined;
  return {
    net: p.net,
    permanence: p,
    pytorch: t,
    trainRatio: t ? p.trainSps / t.trainSps : undefined,
    inferRatio: t ? p.inferSps / t.inferSps : undefined,
  };
});
console.log(`\nbackend: ${backend.name} (kernels: ${backend.kernels.join(', ') || 'none'})`);
// The loader sets OMP_WAIT_POLICY (passive unless given) before PyTorch starts; both share it.
const ompWaitPolicy = process.env.OMP_WAIT_POLICY ?? 'default';
console.log(
  `OpenMP wait policy (native kernels and PyTorch): ${ompWaitPolicy}; load average ${os.loadavg()[0].toFixed(1)}`,
);
if (pytorch.available) console.log(`pytorch: ${pytorch.version}, ${pytorch.threads} threads`);
else console.log(`pytorch: skipped (${pytorch.reason})`);
console.log(
  `batch ${config.batch}, ${config.warmup} warm-up + ${config.steps} timed steps, median of ${values.rounds} rounds; samples/s\n`,
);
const header = ['net', 'train', 'torch train', 'ratio', 'infer', 'torch infer', 'ratio'];
const table = rows.map((r) => [
  r.net,
  fmt(r.permanence.trainSps),
  fmt(r.pytorch?.trainSps),
  fmt(r.trainRatio),
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
      config,
      backend,
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
