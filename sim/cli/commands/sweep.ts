import { commandLine } from '../command-line.ts';
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { BackendName } from '../../backend/loader.ts';
import type { SweepJob, SweepPlan } from '../../sweep/plan.ts';
import { DEFAULT_QUEUE_NAME, DEFAULT_RETRY, type RetryPolicy } from '../../sweep/queue-defaults.ts';
import { positiveInteger } from '../usage.ts';

interface SweepFlags {
  quick?: boolean;
  out?: string;
  jobs?: string;
  backend?: BackendName;
  queue?: string;
  queueName: string;
  wait: boolean;
  attempts?: string;
  backoffMs?: string;
  dryRun?: boolean;
  results?: string;
  seedsFirst?: boolean;
}

export function registerSweep(program: Command): void {
  program
    .command('sweep')
    .description('Run a grid of experiments (one job per config and seed), locally or on a BullMQ queue.')
    .argument('<file>', 'sweep YAML (see sweeps/ and docs/sweeps.md)')
    .option('--quick', 'the CI scale of the sweep (its quick: block)')
    .option('-o, --out <dir>', 'sweep folder (default runs/sweeps/<name>); rerun to resume')
    .option('-j, --jobs <n>', 'local jobs at once, one worker thread each (default: cores)')
    .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu (default: fastest available)')
    .option('--queue <url>', 'enqueue on BullMQ at this Redis URL instead of running locally')
    .option('--queue-name <name>', 'BullMQ queue name', DEFAULT_QUEUE_NAME)
    .option('--no-wait', 'with --queue: enqueue and exit instead of following the sweep')
    .option(
      '--attempts <n>',
      `with --queue: runs per job before it fails for good (default ${DEFAULT_RETRY.attempts})`,
    )
    .option(
      '--backoff-ms <ms>',
      `with --queue: first retry delay, doubling (default ${DEFAULT_RETRY.backoffMs})`,
    )
    .option(
      '--seeds-first',
      "every cell's first seed before any cell's second: a sweep stopped early has measured every cell",
    )
    .option('--dry-run', 'print the plan (experiments, jobs, what is left) and exit')
    .option(
      '--results <dir>',
      'mirror every finished job to <dir>/jobs/<id>.json and resume from the jobs found there (commit it)',
    )
    .addHelpText(
      'after',
      `
Examples:
  permanence sweep sweeps/paper-mnist.yaml --quick
  permanence sweep sweeps/paper-mnist.yaml -j 2 --out runs/sweeps/paper-mnist
  permanence sweep sweeps/paper-mnist-full.yaml -j 2 --results docs/results/paper-mnist-full   # commit as it runs
  permanence sweep sweeps/paper-colour-full.yaml -j 2 --seeds-first --results docs/results/paper-colour-full
  permanence sweep sweeps/paper-mnist.yaml --queue redis://localhost:6379   # then: permanence worker --queue ...
  permanence report runs/sweeps/paper-mnist

Each job writes <out>/jobs/<id>/result.json; <out>/index.json lists every job. A stopped
sweep resumes where it stopped: rerun the same command.`,
    )
    .action(async (file: string, flags: SweepFlags) => {
      const { planSweep } = await import('../../sweep/plan.ts');
      const { configWarnings } = await import('../../experiment/config.ts');
      const { loadSweepSpec, quickSpec } = await import('../../sweep/spec.ts');
      const { finishedJobIds, initSweepFolder, writeIndex } = await import('../../sweep/store.ts');
      const { formatSeconds, progressView, SweepTracker } = await import('../../sweep/progress.ts');
      const { mirrorJob, restoreFromMirror } = await import('../../sweep/results-mirror.ts');
      const full = await loadSweepSpec(file);
      const spec = flags.quick ? quickSpec(full) : full;
      const plan = planSweep(spec);
      const lanes = flags.jobs === undefined ? availableParallelism() : positiveInteger(flags.jobs, 'jobs');
      const dir = flags.out ?? join('runs', 'sweeps', spec.name);
      const command = commandLine();
      if (flags.results) {
        const restored = await restoreFromMirror(flags.results, dir, new Set(plan.jobs.map((j) => j.id)));
        if (restored > 0) console.error(`restored ${restored} finished job(s) from ${flags.results}`);
      }
      const finished = await finishedJobIds(dir);
      const pending = plan.jobs.filter((j) => !finished.has(j.id));
      console.error(
        `sweep ${spec.name}: ${plan.experiments.length} experiments x seeds = ${plan.jobs.length} jobs; ` +
          `${finished.size} done, ${pending.length} to run; folder ${dir}`,
      );
      for (const e of plan.experiments) {
        for (const warning of configWarnings(e.config))
          console.error(`warning: experiment ${e.id}: ${warning}`);
      }
      if (flags.dryRun) return printPlan(plan, pending);
      const meta = await initSweepFolder(dir, spec, plan, {
        quick: Boolean(flags.quick),
        source: file,
        command,
      });
      await writeIndex(dir, spec.name, plan);
      if (pending.length === 0) return console.log(`nothing to run; report with: permanence report ${dir}`);
      if (flags.queue) return runOnQueue(flags, dir, meta.uid, spec.name, plan, pending);
      const { runLocal, shareCores } = await import('../../sweep/local-pool.ts');
      const { loadBackend } = await import('../../backend/loader.ts');
      shareCores(lanes, availableParallelism());
      const backend = await loadBackend({ backend: flags.backend, log: () => undefined });
      const threads = process.env.PERMANENCE_THREADS ?? 'all cores';
      console.error(`backend ${backend.name}; ${lanes} job(s) at a time, native threads per job: ${threads}`);
      const view = progressView(new SweepTracker(plan.jobs.length, pending));
      let summary;
      try {
        summary = await runLocal(pending, {
          dir,
          lanes,
          backend: backend.name,
          seedsFirst: flags.seedsFirst,
          view,
          onJobDone: async (job) => {
            if (flags.results) await mirrorJob(flags.results, dir, job.id);
            await writeIndex(dir, spec.name, plan);
          },
        });
      } finally {
        view.stop();
      }
      const index = await writeIndex(dir, spec.name, plan);
      const rate = summary.ran / (summary.seconds / 60);
      console.log(
        `${summary.ran} job(s) in ${formatSeconds(summary.seconds)} (${rate.toFixed(2)} jobs/min, ${lanes} lane(s)); ` +
          `${index.done}/${index.total} done, ${index.failed} failed`,
      );
      for (const f of summary.failed) console.log(`  failed ${f.id}: ${f.message}`);
      console.log(`report: permanence report ${dir}`);
      if (summary.failed.length > 0) process.exitCode = 1;
    });
}

async function runOnQueue(
  flags: SweepFlags,
  dir: string,
  uid: string,
  name: string,
  plan: SweepPlan,
  pending: readonly SweepJob[],
): Promise<void> {
  const { Queue } = await import('bullmq');
  const { enqueueJobs, queueStatus, redisConnection } = await import('../../sweep/queue.ts');
  const { formatSeconds } = await import('../../sweep/progress.ts');
  const { writeIndex } = await import('../../sweep/store.ts');
  const connection = redisConnection(flags.queue as string);
  const queue = new Queue(flags.queueName, { connection });
  const retry: RetryPolicy = {
    attempts: flags.attempts ? positiveInteger(flags.attempts, 'attempts') : DEFAULT_RETRY.attempts,
    backoffMs: flags.backoffMs ? positiveInteger(flags.backoffMs, 'backoff-ms') : DEFAULT_RETRY.backoffMs,
  };
  try {
    const { added, alreadyQueued } = await enqueueJobs(queue, uid, dir, pending, retry, {
      seedsFirst: flags.seedsFirst,
    });
    console.error(`queue ${flags.queueName}: ${added} job(s) added, ${alreadyQueued} already queued`);
    if (!flags.wait)
      return void console.log(
        `follow: rerun this command without --no-wait (it adds nothing twice); report: permanence report ${dir}`,
      );
    const started = Date.now();
    let last = '';
    for (;;) {
      const status = await queueStatus(queue, uid, dir, pending);
      const elapsed = (Date.now() - started) / 1000;
      const eta =
        status.done > 0 ? (elapsed * (pending.length - status.done - status.failed)) / status.done : null;
      const running = status.active
        .map((a) =>
          a.progress ? `${a.id} F${a.progress.model} ${a.progress.step}/${a.progress.total}` : a.id,
        )
        .join(', ');
      const line = `[${status.done}/${pending.length}] ${status.failed} failed; ETA ${formatSeconds(eta)}; running: ${running || '-'}`;
      if (line !== last) console.error(line);
      last = line;
      if (status.done + status.failed >= pending.length) break;
      await new Promise((r) => setTimeout(r, 2000));
    }
    const index = await writeIndex(dir, name, plan);
    console.log(
      `${index.done}/${index.total} done, ${index.failed} failed; report: permanence report ${dir}`,
    );
    if (index.failed > 0) process.exitCode = 1;
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

async function printPlan(plan: SweepPlan, pending: readonly SweepJob[]): Promise<void> {
  const { experimentSteps } = await import('../../experiment/steps.ts');
  for (const e of plan.experiments) {
    const where = e.grids.map(
      (g) =>
        `${g.grid}(${Object.entries(g.values)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ')})`,
    );
    console.log(`${e.id}  ${where.join('; ')}`);
  }
  const steps = pending.reduce((a, j) => a + experimentSteps(j.config), 0);
  console.log(
    `${plan.experiments.length} experiments, ${plan.jobs.length} jobs, ${pending.length} to run (~${steps} optimiser steps)`,
  );
}
