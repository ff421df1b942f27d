/**
 * Start-up time of the CLI: `permanence --help`, `run --help` and `--version` against bare
 * node and node with tsx. bin/permanence.mjs answers help and the version from the
 * precompiled bundle (scripts/build-cli.mjs, run by npm install) when it is fresh, else
 * through tsx; the "from the sources" case times the tsx path the bundle replaces.
 * The target is --help under 0.5 s; tfjs must not load for it (test/experiment/cli-usage).
 *   npm run bench:help [-- <runs per case, default 15>]
 * Prints median and min wall times and writes bench/results/cli-help-<date>.json.
 */
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
// @ts-expect-error: a plain ESM script without type declarations
import { freshBundle } from '../bin/cli-fast-path.mjs';
import { writeAtomic } from '../sim/experiment/run-folder.ts';

const runs = Number(process.argv[2] ?? 15);
const cases: { name: string; args: string[] }[] = [
  { name: 'node (no script)', args: ['-e', ''] },
  { name: 'node + tsx (no script)', args: ['--import', 'tsx', '-e', ''] },
  { name: 'permanence --version', args: ['bin/permanence.mjs', '--version'] },
  { name: 'permanence --help', args: ['bin/permanence.mjs', '--help'] },
  { name: 'permanence run --help', args: ['bin/permanence.mjs', 'run', '--help'] },
  { name: '--help from the sources', args: ['--import', 'tsx', 'sim/cli/main.ts', '--help'] },
];

function wallMs(args: string[]): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore' });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
  return performance.now() - started;
}

const bundled = freshBundle(process.cwd()) !== undefined;
console.log(
  `start-up bundle ${bundled ? 'fresh: help runs without tsx' : 'missing or stale: npm run build:cli'}`,
);
const loadBefore = loadavg()[0];
wallMs(cases[3].args); // warms tsx's transform cache, as any second start finds it
const rows = cases.map(({ name, args }) => {
  const times = Array.from({ length: runs }, () => wallMs(args)).sort((a, b) => a - b);
  const row = { name, runs, medianMs: times[Math.floor(runs / 2)], minMs: times[0] };
  console.log(`${name.padEnd(26)} median ${row.medianMs.toFixed(0)} ms, min ${row.minMs.toFixed(0)} ms`);
  return row;
});
const loadAfter = loadavg()[0];
console.log(
  `load average ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)} on ${availableParallelism()} cores`,
);
const date = new Date().toISOString().replace(/[:.]/g, '-');
const path = join('bench', 'results', `cli-help-${date}.json`);
await writeAtomic(
  path,
  JSON.stringify(
    { date, cpus: availableParallelism(), node: process.version, bundled, loadBefore, loadAfter, rows },
    null,
    2,
  ),
);
console.log(`wrote ${path}`);
