import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { parseAttack } from '../../attacks/index.ts';
import { loadBackend, type BackendName } from '../../backend/loader.ts';
import { speedPath } from '../../backend/speed-path.ts';
import {
  DEFAULT_TRAINING,
  lastPoisonedModel,
  parseExperimentConfig,
  parseInjection,
  type ExperimentConfigInput,
} from '../../experiment/config.ts';
import { runSeeds } from '../../experiment/parallel.ts';
import { parseDefenseList } from '../../defenses/index.ts';
import { inspectionLines, type ScanInspectorSpec } from '../../experiment/scan-inspectors.ts';
import { experimentSteps } from '../../experiment/steps.ts';
import { defaultPlotTitle, renderSvg, timelineSpec } from '../../experiment/plot.ts';
import { aggregate, resultsCsv, type ExperimentResults } from '../../experiment/results.ts';
import { openRunFolder, writeAtomic } from '../../experiment/run-folder.ts';
import { experimentProgress } from '../progress.ts';

interface RunFlags {
  config?: string;
  dataset?: string;
  model?: string;
  width?: string;
  attack?: string;
  target?: string;
  ratio?: string;
  inject?: string;
  drift?: string;
  updates?: string;
  schedule?: string;
  updateEpochs?: string;
  updateBatch?: string;
  f0Epochs?: string;
  f0Batch?: string;
  f0Schedule?: string;
  poolSubset?: string;
  seeds?: string;
  jobs?: string;
  backend?: BackendName;
  out?: string;
  saveModels?: string;
  f0Cache: string | false;
  scan?: string;
  scanAt: string;
  scanThreshold?: string;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description(
      "Run the paper's experiment: train F0, fine-tune it on drifting data, track accuracy and ASR.",
    )
    .option('-c, --config <file>', 'YAML or JSON experiment config; flags override its fields')
    .option('--dataset <name>', 'mnist | colour | cifar10:<folder>', undefined)
    .option('--model <arch>', 'small-cnn | resnet9')
    .option('--width <multiplier>', 'channel width multiplier (resnet9 default 0.25)')
    .option('--attack <spec>', 'none | badnets[:size=3] | blend[:alpha=0.2] | wanet[:strength=0.5]')
    .option('--target <label>', 'target label of the all-to-one attack (default 0)')
    .option('--ratio <alpha>', 'poison ratio, share of the poisoned data set replaced (default 0.1)')
    .option('--inject <mode>', 'd0 | d1 | persistent:<k> (default d0)')
    .option(
      '--drift <spec>',
      'drift per update, e.g. rotate:4 or hue:0.02,brightness:0.05 (default rotate:4)',
    )
    .option('--updates <n>', 'number of fine-tuning updates (default 15)')
    .option('--schedule <spec>', 'update schedule: sgd:<lr> | stlr:<max lr>[:<cut>] (default sgd:0.01)')
    .option('--update-epochs <n>', 'epochs per update (default 5)')
    .option('--update-batch <n>', 'batch size of updates (default 64, ~315 steps per update)')
    .option('--f0-epochs <n>', 'epochs of F0 training (default 12)')
    .option('--f0-batch <n>', 'batch size of F0 training (default 128)')
    .option('--f0-schedule <spec>', 'F0 schedule (default stlr:0.5)')
    .option('--pool-subset <n>', 'draw this many pool images per update instead of the whole pool')
    .option('--seeds <list>', 'seed count (3) or list (0,1,2)')
    .option('-j, --jobs <n>', 'seeds run in parallel, one worker thread each (default: cores, max seeds)')
    .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu (default: fastest available)')
    .option(
      '--save-models <list>',
      "save models into <out>/models/seed-<n>/F<i>.bin: 'all' or indices, e.g. 0,1",
    )
    .option(
      '--f0-cache <dir>',
      'reuse trained F0 models across runs (keyed by data, model, D0 poison, F0 training, seed)',
      'runs/.f0-cache',
    )
    .option('--no-f0-cache', 'always train F0')
    .option('-o, --out <dir>', 'run folder (default runs/<name>-<timestamp>)')
    .option('--scan <defenses>', 'backdoor-scan models: nc | tabor | both (indices in results.json)')
    .option('--scan-at <list>', 'model indices to scan, e.g. 0,1,5', '0')
    .option('--scan-threshold <asr>', 'ASR threshold of the scans (default 0.99)')
    .addHelpText(
      'after',
      `
Examples:
  permanence run --attack badnets --drift rotate:4 --updates 15 --schedule sgd:0.01 --seeds 3 --out runs/badnets-sgd
  permanence run --attack blend:alpha=0.2 --schedule stlr:0.5 --seeds 0,1,2
  permanence run --config experiment.yaml --out runs/mine

Writes <out>/results.json, results.csv and plot.svg; seeds/seed-<n>.json as each seed finishes.
Rerunning with the same --out and config resumes; another config is refused.`,
    )
    .action(async (flags: RunFlags) => {
      const config = parseExperimentConfig(await buildConfig(flags));
      const backend = await loadBackend({ backend: flags.backend });
      const name = config.name ?? defaultName(config.attack?.kind ?? 'clean');
      const dir = flags.out ?? join('runs', `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      const folder = await openRunFolder(dir, config);
      const pending = config.seeds.filter((s) => !folder.finished.has(s));
      if (folder.finished.size > 0)
        console.error(`resuming ${dir}: ${folder.finished.size} seed(s) already done`);
      const jobs = Math.max(1, Math.min(Number(flags.jobs ?? availableParallelism()), pending.length || 1));
      const speed = speedPath(backend);
      console.error(
        `backend ${speed.summary}; ${pending.length} seed(s) to run, ${jobs} at a time; writing ${dir}`,
      );
      if (speed.hint) console.error(speed.hint);
      const started = performance.now();
      const progress = experimentProgress(experimentSteps(config) * pending.length);
      let seeds;
      try {
        seeds = await runSeeds(config, pending, {
          jobs,
          backend: backend.name,
          hooks: { onEvent: progress.onEvent },
          onSeedDone: (result) => folder.saveSeed(result),
          f0CacheDir: flags.f0Cache === false ? undefined : flags.f0Cache,
          saveModels: flags.saveModels ? { dir, at: parseModelList(flags.saveModels) } : undefined,
          scan: flags.scan ? scanSpec(flags) : undefined,
        });
      } finally {
        progress.stop();
      }
      const all = [...folder.finished.values(), ...seeds];
      const results = aggregate(config, all, backend.name, (performance.now() - started) / 1000);
      await writeAtomic(join(dir, 'results.json'), JSON.stringify(results, null, 2));
      await writeAtomic(join(dir, 'results.csv'), resultsCsv(results));
      await writeAtomic(
        join(dir, 'plot.svg'),
        await renderSvg(timelineSpec(results, defaultPlotTitle(results))),
      );
      printSummary(results, dir);
      for (const line of inspectionLines(results.seeds)) console.log(line);
    });
}

function scanSpec(flags: RunFlags): ScanInspectorSpec {
  const at = parseModelList(flags.scanAt);
  if (at === 'all') throw new Error('--scan-at takes indices, e.g. 0,1,5');
  const threshold = flags.scanThreshold === undefined ? undefined : Number(flags.scanThreshold);
  if (threshold !== undefined && !(threshold > 0 && threshold <= 1)) {
    throw new Error('--scan-threshold must be in (0, 1]');
  }
  const options = threshold === undefined ? {} : { threshold };
  return { defenses: parseDefenseList(flags.scan ?? 'nc'), at, options };
}

async function buildConfig(flags: RunFlags): Promise<ExperimentConfigInput> {
  const base: Record<string, unknown> = flags.config ? await readConfigFile(flags.config) : {};
  const num = (v: string | undefined, what: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n)) throw new Error(`--${what} must be a number, got '${v}'`);
    return n;
  };
  const set = (key: string, value: unknown): void => {
    if (value !== undefined) base[key] = value;
  };
  const training = (key: 'f0' | 'update', epochs?: string, batch?: string, schedule?: string): void => {
    if (epochs === undefined && batch === undefined && schedule === undefined) return;
    const defaults = DEFAULT_TRAINING[key];
    const prev = (base[key] as Record<string, unknown> | undefined) ?? defaults;
    base[key] = {
      ...defaults,
      ...prev,
      ...(epochs !== undefined && { epochs: num(epochs, `${key === 'f0' ? 'f0' : 'update'}-epochs`) }),
      ...(batch !== undefined && { batchSize: num(batch, `${key === 'f0' ? 'f0' : 'update'}-batch`) }),
      ...(schedule !== undefined && { schedule }),
    };
  };
  set('dataset', flags.dataset);
  set('model', flags.model);
  set('widthMultiplier', num(flags.width, 'width'));
  if (flags.attack !== undefined) set('attack', flags.attack === 'none' ? null : parseAttack(flags.attack));
  set('target', num(flags.target, 'target'));
  set('poisonRatio', num(flags.ratio, 'ratio'));
  if (flags.inject !== undefined) set('injection', parseInjection(flags.inject));
  set('drift', flags.drift);
  set('updates', num(flags.updates, 'updates'));
  training('update', flags.updateEpochs, flags.updateBatch, flags.schedule);
  training('f0', flags.f0Epochs, flags.f0Batch, flags.f0Schedule);
  set('poolSubset', num(flags.poolSubset, 'pool-subset'));
  if (flags.seeds !== undefined) set('seeds', parseSeeds(flags.seeds));
  return base as ExperimentConfigInput;
}

async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new Error(`cannot read config file ${path}`);
  });
  const value: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`config file ${path} must hold a mapping of experiment fields`);
  }
  return value as Record<string, unknown>;
}

export function parseModelList(text: string): number[] | 'all' {
  if (text === 'all') return 'all';
  const list = text.split(',').map((s) => Number(s.trim()));
  if (list.some((i) => !Number.isInteger(i) || i < 0))
    throw new Error(`--save-models must be 'all' or indices, got '${text}'`);
  return list;
}

export function parseSeeds(text: string): number[] {
  if (/^\d+$/.test(text)) {
    const count = Number(text);
    if (count < 1)
      throw new Error(`--seeds ${text}: a seed count must be at least 1 (seed lists: 0,1 or 4,)`);
    return Array.from({ length: count }, (_, i) => i);
  }
  const seeds = text
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => Number(s.trim()));
  if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new Error(`--seeds must be a count (3) or a list of non-negative integers (0,1,2), got '${text}'`);
  }
  return seeds;
}

function defaultName(attack: string): string {
  return attack;
}

function printSummary(results: ExperimentResults, dir: string): void {
  const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;
  const { models, survivability, stepsPerUpdate, ineffectiveSeeds } = results.summary;
  console.log(`model  accuracy          ASR               static acc`);
  for (const m of models) {
    const asr = m.asr ? `${pct(m.asr.mean)} ± ${pct(m.asr.std)}` : '-';
    const st = m.staticAccuracy ? pct(m.staticAccuracy.mean) : '-';
    console.log(
      `F${String(m.index).padEnd(4)} ${`${pct(m.cleanAccuracy.mean)} ± ${pct(m.cleanAccuracy.std)}`.padEnd(17)} ${asr.padEnd(17)} ${st}`,
    );
  }
  if (survivability && lastPoisonedModel(results.config) !== null) {
    console.log(
      `${results.config.gamma}-survivability: ${survivability.mean.toFixed(2)} ± ${survivability.std.toFixed(2)} (max ${results.config.horizon})`,
    );
  }
  console.log(
    `steps per update: ${stepsPerUpdate}; wall time ${results.wallSeconds.toFixed(0)} s; backend ${results.backend}`,
  );
  if (ineffectiveSeeds.length > 0) {
    console.log(
      `warning: seeds ${ineffectiveSeeds.join(', ')} missed ASR >= 99% on the poisoned model (paper requires it)`,
    );
  }
  console.log(`results: ${join(dir, 'results.json')}, ${join(dir, 'results.csv')}, ${join(dir, 'plot.svg')}`);
}
