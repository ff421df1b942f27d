import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { cpus, hostname } from 'node:os';
import { join } from 'node:path';
import { parseAttack } from '../attacks/index.ts';
import { loadBackend } from '../backend/loader.ts';
import {
  jobResultSchema,
  jobTable,
  summariseGroups,
  summaryMarkdown,
  timelineSurvivability,
  type JobResult,
  type Side,
} from '../crosscheck/compare.ts';
import { exportTwinInputs } from '../crosscheck/export.ts';
import { mnistDigitsDir, runTwinExperiment } from '../crosscheck/twin.ts';
import { describeDrift } from '../drift/index.ts';
import { parseExperimentConfig, parseInjection, type ExperimentConfig } from '../experiment/config.ts';
import { folderF0Cache, writeAtomic } from '../experiment/run-folder.ts';
import { f0CacheKey, runSeed } from '../experiment/runner.ts';
import { experimentId } from '../sweep/job-id.ts';
import { describeSchedule, parseSchedule } from '../train/schedules.ts';
import { parseSeeds } from '../cli/commands/run.ts';

import type { CrosscheckFlags } from '../cli/commands/crosscheck.ts';

/** `permanence crosscheck` (sim/cli/commands/crosscheck.ts), loaded when the command runs. */
export async function runCrosscheck(flags: CrosscheckFlags): Promise<void> {
  const backend = await loadBackend({ backend: flags.backend });
  const jobsDir = join(flags.out, 'jobs');
  await mkdir(jobsDir, { recursive: true });
  const configs = flags.attacks.flatMap((attack) =>
    flags.schedules.map((schedule) => buildConfig(flags, attack, schedule)),
  );
  const seeds = parseSeeds(flags.seeds);
  for (const config of configs) {
    for (const seed of seeds) {
      const id = jobName(config, seed);
      const path = join(jobsDir, `${id}.json`);
      if (existsSync(path)) {
        console.log(`${id}: done, skipped`);
        continue;
      }
      console.log(`${id}: running (${describeDrift(config.drift)})`);
      const job = await runJob(config, seed, id, flags, `permanence (${backend.name})`);
      await writeAtomic(path, JSON.stringify(job, null, 2));
      console.log(jobTable(job));
      await writeSummary(flags.out);
    }
  }
  await writeSummary(flags.out);
  console.log(await readFile(join(flags.out, 'summary.md'), 'utf8'));
}

function buildConfig(flags: CrosscheckFlags, attack: string, schedule: string): ExperimentConfig {
  const n = (v: string): number => Number(v);
  return parseExperimentConfig({
    attack: attack === 'none' ? null : parseAttack(attack),
    poisonRatio: n(flags.ratio),
    injection: parseInjection(flags.inject),
    drift: flags.drift,
    updates: n(flags.updates),
    f0: { epochs: n(flags.f0Epochs), batchSize: n(flags.f0Batch), schedule: parseSchedule(flags.f0Schedule) },
    update: {
      epochs: n(flags.updateEpochs),
      batchSize: n(flags.updateBatch),
      schedule: parseSchedule(schedule),
    },
    poolSubset: flags.poolSubset === undefined ? null : n(flags.poolSubset),
    staticBaseline: false,
  });
}

/** "badnets-sgd_0.01-<experiment id>-s0": readable and unique per (config, seed). */
function jobName(config: ExperimentConfig, seed: number): string {
  const schedule = describeSchedule(config.update.schedule).replace(/:/g, '_');
  return `${config.attack?.kind ?? 'clean'}-${schedule}-${experimentId(config)}-s${seed}`;
}

async function runJob(
  config: ExperimentConfig,
  seed: number,
  id: string,
  flags: CrosscheckFlags,
  label: string,
): Promise<JobResult> {
  const started = performance.now();
  const f0Cache = flags.f0Cache === false ? undefined : flags.f0Cache;
  const ours = await runSeed(config, seed, {
    f0Cache: f0Cache ? folderF0Cache(f0Cache) : undefined,
    onEvent: (e) => {
      if (e.type === 'model:evaluated')
        console.error(
          `  permanence F${e.record.index}: acc ${e.record.cleanAccuracy.toFixed(4)} asr ${e.record.asr?.toFixed(4) ?? '-'}`,
        );
    },
  });
  const permanence: Side = {
    label,
    models: ours.models.map((m) => ({ index: m.index, cleanAccuracy: m.cleanAccuracy, asr: m.asr })),
    survivability: ours.survivability,
    seconds: (performance.now() - started) / 1000,
  };
  const inputs = exportTwinInputs(config, seed, { mnistDigitsDir: mnistDigitsDir() });
  const twinSide = async (threads: number, cache: string | undefined): Promise<Side> => {
    const t0 = performance.now();
    const answer = await runTwinExperiment(inputs, {
      threads,
      f0Cache: cache,
      onLine: (line) => console.error(`  torch(${threads}) ${line}`),
    });
    const models = answer.models.map((m) => ({ index: m.index, cleanAccuracy: m.cleanAccuracy, asr: m.asr }));
    return {
      label: `torch ${answer.torch} (${answer.threads} threads)`,
      models,
      survivability: timelineSurvivability(config, models),
      seconds: (performance.now() - t0) / 1000,
    };
  };
  const twinCache = f0Cache ? join(f0Cache, `twin-${f0CacheKey(config, seed)}.pt`) : undefined;
  const twin = await twinSide(Number(flags.threads), twinCache);
  // The noise run trains F0 too, so the floor covers F0's own float noise.
  const twinNoise =
    flags.noiseThreads === undefined ? null : await twinSide(Number(flags.noiseThreads), undefined);
  return {
    format: 1,
    job: id,
    experiment: experimentId(config),
    attack: config.attack?.kind ?? 'clean',
    schedule: describeSchedule(config.update.schedule),
    seed,
    config: config as unknown as Record<string, unknown>,
    permanence,
    twin,
    twinNoise,
    machine: `${hostname()} (${cpus().length} cores)`,
    finishedAt: new Date().toISOString(),
  };
}

/** summary.json and summary.md from every job file in the folder (this run's and earlier ones). */
async function writeSummary(out: string): Promise<void> {
  const dir = join(out, 'jobs');
  const files = existsSync(dir) ? (await readdir(dir)).filter((f) => f.endsWith('.json')).sort() : [];
  const jobs = await Promise.all(
    files.map(async (f) => jobResultSchema.parse(JSON.parse(await readFile(join(dir, f), 'utf8')))),
  );
  const groups = summariseGroups(jobs);
  await writeAtomic(join(out, 'summary.json'), JSON.stringify({ format: 1, groups }, null, 2));
  const perJob = jobs.map(
    (j) => `### ${j.job}\n\n${j.permanence.label} vs ${j.twin.label}\n\n${jobTable(j)}`,
  );
  await writeAtomic(
    join(out, 'summary.md'),
    [
      '# Permanence vs its PyTorch twin',
      '',
      'Written by `npm run crosscheck` from the job files in jobs/ (see docs/crosscheck.md). Differences are torch minus Permanence, in points.',
      '',
      summaryMarkdown(groups),
      '',
      ...perJob,
      '',
    ].join('\n'),
  );
}
