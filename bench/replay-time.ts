/**
 * npm run bench:replay -- <data dir> [--from v4] [--to v13] [--policy stlr:0.5]: wall time of
 * one counterfactual replay of a recorded live history (filesystem registry), in this thread,
 * as `permanence replay --policy` runs it: reading and checking the history, then every
 * version's update and evaluation. Writes bench/results/replay-time-<time>.json with the
 * machine's load average, since the figure depends on what else runs on the cores.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { parseArgs } from 'node:util';
import { FsModelStore } from '../services/registry/fs-store.ts';
import { historySource } from '../services/registry/history-source.ts';
import { loadBackend } from '../sim/backend/loader.ts';
import { replay } from '../sim/replay/engine.ts';
import { loadHistory } from '../sim/replay/history.ts';
import { parseReplayPolicy } from '../sim/replay/policy.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    model: { type: 'string', default: 'live-mnist' },
    from: { type: 'string', default: 'v4' },
    to: { type: 'string' },
    policy: { type: 'string', default: 'stlr:0.5' },
  },
});
const dir = positionals[0];
if (!dir) throw new Error('usage: bench/replay-time.ts <data dir> [--from vN] [--to vM] [--policy p]');
const version = (v: string) => Number(v.replace(/^v/, ''));
const backend = await loadBackend({ log: () => undefined });
const loadBefore = os.loadavg()[0];
const cpu = process.cpuUsage();
const started = performance.now();
const history = await loadHistory(historySource(new FsModelStore(dir)), values.model, {
  from: version(values.from),
  to: values.to === undefined ? undefined : version(values.to),
});
const loaded = performance.now();
const result = await replay(history, { policy: parseReplayPolicy(values.policy), backend: backend.name });
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(cpu);
const out = {
  bench: 'replay-time',
  at: new Date().toISOString(),
  machine: {
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model,
    load1Before: loadBefore,
    load1After: os.loadavg()[0],
  },
  backend: backend.name,
  native: backend.native.loaded,
  versions: result.rows.length,
  range: `v${result.from}..v${result.to}`,
  policy: result.policy,
  seconds,
  loadSeconds: (loaded - started) / 1000,
  cpuSeconds: (used.user + used.system) / 1e6,
};
console.log(JSON.stringify(out, null, 2));
await mkdir('bench/results', { recursive: true });
await writeFile(
  `bench/results/replay-time-${out.at.replace(/[:.]/g, '-')}.json`,
  `${JSON.stringify(out, null, 2)}\n`,
);
