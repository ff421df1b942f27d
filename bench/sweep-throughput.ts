/**
 * Sweep throughput with 1 and 2 local lanes (worker threads): the same small sweep run twice
 * into fresh folders, jobs per minute for each. Writes bench/results/sweep-throughput-<date>.json.
 *
 *   node --import tsx bench/sweep-throughput.ts [jobs=6] [lanes=1,2]
 *
 * The machine's load average is recorded next to the numbers: a busy machine (other
 * processes on the cores) lowers both, and the 2-lane speedup most. The backend loads once
 * per process, so native threads per job are fixed per run: PERMANENCE_THREADS=1 gives
 * what `permanence sweep -j 2` uses on 2 cores (see shareCores), unset gives all cores.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadBackend } from '../sim/backend/loader.ts';
import { writeAtomic } from '../sim/experiment/run-folder.ts';
import { runLocal } from '../sim/sweep/local-pool.ts';
import { planSweep } from '../sim/sweep/plan.ts';
import { parseSweepSpec } from '../sim/sweep/spec.ts';
import { initSweepFolder } from '../sim/sweep/store.ts';

const jobCount = Number(process.argv[2] ?? 6);
const laneCounts = (process.argv[3] ?? '1,2').split(',').map(Number);

// Quick-scale jobs (as `permanence sweep --quick`): F0 1 epoch, 2 updates of 300 images.
const spec = parseSweepSpec({
  name: 'bench',
  base: { updates: 2, f0: { epochs: 1 }, update: { epochs: 1 }, poolSubset: 300, staticBaseline: false },
  seeds: Array.from({ length: jobCount }, (_, i) => i),
  grids: [{ name: 'one', axes: {} }],
});
const plan = planSweep(spec);
const backend = await loadBackend({ log: () => undefined });

const rows: {
  lanes: number;
  jobs: number;
  seconds: number;
  jobsPerMinute: number;
  loadBefore: number;
  loadAfter: number;
}[] = [];
for (const lanes of laneCounts) {
  const dir = await mkdtemp(join(tmpdir(), `sweep-bench-${lanes}-`));
  try {
    await initSweepFolder(dir, spec, plan, {
      quick: true,
      source: 'bench',
      command: 'bench/sweep-throughput.ts',
    });
    const loadBefore = loadavg()[0];
    const summary = await runLocal(plan.jobs, { dir, lanes, backend: backend.name });
    if (summary.failed.length > 0)
      throw new Error(`bench jobs failed: ${summary.failed.map((f) => f.message).join('; ')}`);
    const row = {
      lanes,
      jobs: summary.ran,
      seconds: summary.seconds,
      jobsPerMinute: summary.ran / (summary.seconds / 60),
      loadBefore,
      loadAfter: loadavg()[0],
    };
    rows.push(row);
    console.log(
      `${lanes} lane(s): ${row.jobs} jobs in ${row.seconds.toFixed(1)} s = ${row.jobsPerMinute.toFixed(2)} jobs/min ` +
        `(load avg ${row.loadBefore.toFixed(1)} -> ${row.loadAfter.toFixed(1)})`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
const base = rows.find((r) => r.lanes === 1);
for (const r of rows)
  if (base && r !== base)
    console.log(`${r.lanes} lanes vs 1: x${(r.jobsPerMinute / base.jobsPerMinute).toFixed(2)}`);
const date = new Date().toISOString().replace(/[:.]/g, '-');
const path = join('bench', 'results', `sweep-throughput-${date}.json`);
await writeAtomic(
  path,
  JSON.stringify(
    { date, cpus: availableParallelism(), backend: backend.name, job: plan.jobs[0].config, rows },
    null,
    2,
  ),
);
console.log(`wrote ${path}`);
