import type { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { z } from 'zod';
import type { BackendName } from '../../backend/loader.ts';
import type { ExperimentConfig, ExperimentConfigInput } from '../../experiment/config.ts';
import type { ScanInspectorSpec } from '../../experiment/scan-inspectors.ts';
import type { Band, ExperimentResults } from '../../experiment/results.ts';
import { figureFormats, FORMAT_DEFAULT, FORMAT_FLAG, FORMAT_HELP } from '../figure-format-flag.ts';
import { backendNotices } from '../notices.ts';
import { nonNegativeInteger, usage, UsageError } from '../usage.ts';

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
  gamma?: string;
  horizon?: string;
  jobs?: string;
  backend?: BackendName;
  out?: string;
  saveModels?: string;
  f0Cache: string | false;
  scan?: string;
  scanAt: string;
  scanThreshold?: string;
  format?: string;
  json?: boolean;
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
    .option('--gamma <asr>', 'ASR threshold of gamma-survivability (default 0.5)')
    .option('--horizon <n>', 'survivability counts at most this many updates after poisoning (default 14)')
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
    .option(FORMAT_FLAG, FORMAT_HELP, FORMAT_DEFAULT)
    .option('--json', 'print one JSON document (folder, files, summary) on stdout instead of the table')
    .addHelpText(
      'after',
      `
Examples:
  permanence run --attack badnets --drift rotate:4 --updates 15 --schedule sgd:0.01 --seeds 3 --out runs/badnets-sgd
  permanence run --attack blend:alpha=0.2 --schedule stlr:0.5 --seeds 0,1,2
  permanence run --config examples/badnets-sgd.yaml --out runs/mine
  permanence run --config runs/mine/config.json --out runs/again    # a run's config.json is a config

Writes <out>/config.json, results.json, results.csv, plot.svg and plot.png (--format svg,png,pdf
adds plot.pdf); seeds/seed-<n>.json as each seed finishes. Rerunning with the same --out and config
resumes; another config is refused.`,
    )
    .action(async (flags: RunFlags, command: Command) => {
      const formats = figureFormats(flags.format);
      const config = await resolveConfig(await buildConfig(flags), flags);
      const { configWarnings } = await import('../../experiment/config.ts');
      for (const warning of configWarnings(config)) console.error(`warning: ${warning}`);
      // Heavy modules (tfjs, the backends, vega) load here, not when the CLI starts.
      const { loadBackend } = await import('../../backend/loader.ts');
      const { speedPath } = await import('../../backend/speed-path.ts');
      const { runSeeds } = await import('../../experiment/parallel.ts');
      const { inspectionLines } = await import('../../experiment/scan-inspectors.ts');
      const { experimentSteps } = await import('../../experiment/steps.ts');
      const { defaultPlotTitle, timelineSpec } = await import('../../experiment/plot.ts');
      const { writeFigure } = await import('../../experiment/figure-files.ts');
      const { aggregate, resultsCsv } = await import('../../experiment/results.ts');
      const { openRunFolder, writeAtomic } = await import('../../experiment/run-folder.ts');
      const { experimentProgress } = await import('../progress.ts');

      const scan = flags.scan ? await scanSpec(flags) : undefined;
      const saveModels = flags.saveModels ? parseModelList(flags.saveModels) : undefined;
      const notices = backendNotices(Boolean(command.optsWithGlobals().verbose));
      const backend = await loadBackend({ backend: flags.backend, log: notices.log });
      const name = config.name ?? config.attack?.kind ?? 'clean';
      const dir = flags.out ?? join('runs', `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}`);
      const folder = await openRunFolder(dir, config);
      const pending = config.seeds.filter((s) => !folder.finished.has(s));
      if (folder.finished.size > 0)
        console.error(`resuming ${dir}: ${folder.finished.size} seed(s) already done`);
      const jobs = Math.max(
        1,
        Math.min(
          flags.jobs === undefined ? availableParallelism() : nonNegativeInteger(flags.jobs, 'jobs'),
          pending.length || 1,
        ),
      );
      const speed = speedPath(backend);
      console.error(
        `backend ${speed.summary}; ${pending.length} seed(s) to run, ${jobs} at a time; writing ${dir}`,
      );
      notices.done(speed);
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
          saveModels: saveModels ? { dir, at: saveModels } : undefined,
          scan,
        });
      } finally {
        progress.stop();
      }
      const all = [...folder.finished.values(), ...seeds];
      const results = aggregate(config, all, backend.name, (performance.now() - started) / 1000);
      const files = {
        config: join(dir, 'config.json'),
        results: join(dir, 'results.json'),
        csv: join(dir, 'results.csv'),
        // The SVG's key is "plot"; the other figure files are keyed by format.
        ...Object.fromEntries(formats.map((f) => [f === 'svg' ? 'plot' : f, join(dir, `plot.${f}`)])),
      };
      await writeAtomic(files.results, JSON.stringify(results, null, 2));
      await writeAtomic(files.csv, resultsCsv(results));
      const plots = await writeFigure(
        join(dir, 'plot'),
        timelineSpec(results, defaultPlotTitle(results)),
        formats,
      );
      const inspections = inspectionLines(results.seeds);
      if (flags.json) {
        const doc = { dir, files, backend: results.backend, summary: results.summary, inspections };
        console.log(JSON.stringify(doc, null, 2));
        return;
      }
      const { lastPoisonedModel } = await import('../../experiment/config.ts');
      for (const line of summaryLines(results, lastPoisonedModel(results.config))) console.log(line);
      console.log(`results: ${[files.results, files.csv, ...plots].join(', ')}`);
      for (const line of inspections) console.log(line);
    });
}

async function scanSpec(flags: RunFlags): Promise<ScanInspectorSpec> {
  const { parseDefenseList } = await import('../../defenses/index.ts');
  const at = parseModelList(flags.scanAt, 'scan-at');
  if (at === 'all') throw new UsageError('--scan-at takes indices, e.g. 0,1,5');
  const threshold = flags.scanThreshold === undefined ? undefined : Number(flags.scanThreshold);
  if (threshold !== undefined && !(threshold > 0 && threshold <= 1)) {
    throw new UsageError(`--scan-threshold must be in (0, 1], got '${flags.scanThreshold}'`);
  }
  const options = threshold === undefined ? {} : { threshold };
  return { defenses: usage(() => parseDefenseList(flags.scan ?? 'nc')), at, options };
}

/** Which flag sets each config field (so an invalid value is reported under its flag). */
const FLAG_OF: Readonly<Record<string, string>> = {
  dataset: '--dataset',
  model: '--model',
  widthMultiplier: '--width',
  attack: '--attack',
  target: '--target',
  poisonRatio: '--ratio',
  injection: '--inject',
  drift: '--drift',
  updates: '--updates',
  'update.epochs': '--update-epochs',
  'update.batchSize': '--update-batch',
  'update.schedule': '--schedule',
  'f0.epochs': '--f0-epochs',
  'f0.batchSize': '--f0-batch',
  'f0.schedule': '--f0-schedule',
  poolSubset: '--pool-subset',
  seeds: '--seeds',
  gamma: '--gamma',
  horizon: '--horizon',
};

/** The flag behind a config path such as ['update', 'epochs'], if a flag set that field. */
export function flagOf(path: readonly (string | number)[], flags: RunFlags): string | undefined {
  const given: Record<string, unknown> = {
    '--dataset': flags.dataset,
    '--model': flags.model,
    '--width': flags.width,
    '--attack': flags.attack,
    '--target': flags.target,
    '--ratio': flags.ratio,
    '--inject': flags.inject,
    '--drift': flags.drift,
    '--updates': flags.updates,
    '--update-epochs': flags.updateEpochs,
    '--update-batch': flags.updateBatch,
    '--schedule': flags.schedule,
    '--f0-epochs': flags.f0Epochs,
    '--f0-batch': flags.f0Batch,
    '--f0-schedule': flags.f0Schedule,
    '--pool-subset': flags.poolSubset,
    '--seeds': flags.seeds,
    '--gamma': flags.gamma,
    '--horizon': flags.horizon,
  };
  for (let n = Math.min(2, path.length); n >= 1; n--) {
    const flag = FLAG_OF[path.slice(0, n).join('.')];
    if (flag !== undefined && given[flag] !== undefined) return flag;
  }
  return undefined;
}

/**
 * Validates the merged config. A bad value is a usage error named by the flag that set it
 * (`--ratio: ...`), or by the config file's field path when the file set it.
 */
export async function resolveConfig(
  input: ExperimentConfigInput,
  flags: RunFlags,
): Promise<ExperimentConfig> {
  const { experimentConfigSchema } = await import('../../experiment/config.ts');
  const parsed = experimentConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const where = flags.config ? ` (in ${flags.config} unless a flag is named)` : '';
  const lines = parsed.error.issues.map((i: z.ZodIssue) => {
    const flag = flagOf(i.path, flags);
    return `  ${flag ?? (i.path.join('.') || '(config)')}: ${i.message}`;
  });
  throw new UsageError(`invalid experiment config${where}:\n${lines.join('\n')}`);
}

export async function buildConfig(flags: RunFlags): Promise<ExperimentConfigInput> {
  const { DEFAULT_TRAINING, parseInjection } = await import('../../experiment/config.ts');
  const { parseAttackOrNone } = await import('../../attacks/index.ts');
  const base: Record<string, unknown> = flags.config ? await readConfigFile(flags.config) : {};
  const num = (v: string | undefined, what: string): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n))
      throw new UsageError(`--${what} must be a number, got '${v}'`);
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
      ...(epochs !== undefined && { epochs: num(epochs, `${key}-epochs`) }),
      ...(batch !== undefined && { batchSize: num(batch, `${key}-batch`) }),
      ...(schedule !== undefined && { schedule }),
    };
  };
  set('dataset', flags.dataset);
  set('model', flags.model);
  set('widthMultiplier', num(flags.width, 'width'));
  if (flags.attack !== undefined)
    set(
      'attack',
      usage(() => parseAttackOrNone(flags.attack as string)),
    );
  set('target', num(flags.target, 'target'));
  set('poisonRatio', num(flags.ratio, 'ratio'));
  if (flags.inject !== undefined)
    set(
      'injection',
      usage(() => parseInjection(flags.inject as string)),
    );
  set('drift', flags.drift);
  set('updates', num(flags.updates, 'updates'));
  training('update', flags.updateEpochs, flags.updateBatch, flags.schedule);
  training('f0', flags.f0Epochs, flags.f0Batch, flags.f0Schedule);
  set('poolSubset', num(flags.poolSubset, 'pool-subset'));
  if (flags.seeds !== undefined) set('seeds', parseSeeds(flags.seeds));
  set('gamma', num(flags.gamma, 'gamma'));
  set('horizon', num(flags.horizon, 'horizon'));
  return base as ExperimentConfigInput;
}

/** A YAML or JSON config file (a run's config.json is one). */
export async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  const text = await readFile(path, 'utf8').catch(() => {
    throw new UsageError(`cannot read config file ${path}`);
  });
  const { parse: parseYaml } = await import('yaml');
  const value: unknown = usage(() => (path.endsWith('.json') ? JSON.parse(text) : parseYaml(text)));
  // A config.json of a run folder from before it held a plain config is read too.
  const { unwrapStoredConfig } = await import('../../experiment/run-folder.ts');
  const fields = unwrapStoredConfig(value);
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new UsageError(`config file ${path} must hold a mapping of experiment fields`);
  }
  return { ...fields } as Record<string, unknown>;
}

export function parseModelList(text: string, flag = 'save-models'): number[] | 'all' {
  if (text === 'all') return 'all';
  const list = text.split(',').map((s) => Number(s.trim()));
  if (list.some((i) => !Number.isInteger(i) || i < 0))
    throw new UsageError(`--${flag} must be 'all' or indices, got '${text}'`);
  return list;
}

export function parseSeeds(text: string): number[] {
  if (/^\d+$/.test(text)) {
    const count = Number(text);
    if (count < 1)
      throw new UsageError(`--seeds ${text}: a seed count must be at least 1 (seed lists: 0,1 or 4,)`);
    return Array.from({ length: count }, (_, i) => i);
  }
  const seeds = text
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => Number(s.trim()));
  if (seeds.length === 0 || seeds.some((s) => !Number.isInteger(s) || s < 0)) {
    throw new UsageError(
      `--seeds must be a count (3) or a list of non-negative integers (0,1,2), got '${text}'`,
    );
  }
  return seeds;
}

/**
 * The most updates survivability can count in this run: the horizon, or fewer when the run
 * ends sooner after its last poisoned model `last` (Definition 5.1 counts updates after
 * poisoning); null for a clean run.
 */
export function survivabilityMax(config: ExperimentConfig, last: number | null): number | null {
  return last === null ? null : Math.max(0, Math.min(config.horizon, config.updates - last));
}

/** "97.5% ± 0.3%", or "97.5%" for one seed (a spread over one seed says nothing). */
export function formatBand(band: Band, seeds: number, digits = 1, scale = 100, unit = '%'): string {
  const f = (v: number): string => `${(scale * v).toFixed(digits)}${unit}`;
  return seeds > 1 ? `${f(band.mean)} ± ${f(band.std)}` : f(band.mean);
}

/** The table `permanence run` prints. */
export function summaryLines(results: ExperimentResults, lastPoisoned: number | null): string[] {
  const { models, survivability, stepsPerUpdate, ineffectiveSeeds } = results.summary;
  const n = results.seeds.length;
  const lines = [`model  accuracy          ASR               static acc`];
  for (const m of models) {
    const asr = m.asr ? formatBand(m.asr, n) : '-';
    const st = m.staticAccuracy ? formatBand(m.staticAccuracy, 1) : '-';
    lines.push(
      `F${String(m.index).padEnd(4)} ${formatBand(m.cleanAccuracy, n).padEnd(17)} ${asr.padEnd(17)} ${st}`,
    );
  }
  const max = survivabilityMax(results.config, lastPoisoned);
  if (survivability && max !== null) {
    lines.push(
      `${results.config.gamma}-survivability: ${formatBand(survivability, n, 2, 1, '')} (max ${max})`,
    );
  }
  lines.push(
    `steps per update: ${stepsPerUpdate}; wall time ${results.wallSeconds.toFixed(0)} s; backend ${results.backend}`,
  );
  if (ineffectiveSeeds.length > 0) {
    lines.push(
      `warning: seeds ${ineffectiveSeeds.join(', ')} missed ASR >= 99% on the poisoned model (paper requires it)`,
    );
  }
  return lines;
}
