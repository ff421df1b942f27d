import type { Command } from 'commander';
import { join } from 'node:path';
import type { BackendName } from '../../backend/loader.ts';
import type { ScanOptions, ScanResult } from '../../defenses/index.ts';
import { DEFAULT_SCAN_OPTIONS } from '../../defenses/scan-defaults.ts';
import type { ModelSpec } from '../../models/index.ts';
import { backendNotices } from '../notices.ts';
import { EXIT, nonNegativeInteger, positiveNumber, usage, UsageError } from '../usage.ts';

/** Exit code of a scan that flags the model (documented in main.ts and docs/defenses.md). */
export const EXIT_FLAGGED = EXIT.flagged;

/** The scan-budget flags `scan` and `defense-table` share. */
export interface ScanBudgetFlags {
  samples?: string;
  epochs?: string;
  batch?: string;
  patience?: string;
  initCost?: string;
  maskBlock?: string;
  seed: string;
}

interface ScanFlags extends ScanBudgetFlags {
  model: string;
  defense: string;
  threshold: string;
  dataset?: string;
  dataSeed?: string;
  registry: string;
  backend?: BackendName;
  out?: string;
  json?: boolean;
}

export function registerScan(program: Command): void {
  program
    .command('scan')
    .description('Scan a model for a backdoor: reverse-engineer a trigger per label (Neural Cleanse, TABOR).')
    .requiredOption(
      '-m, --model <ref>',
      'a model file (.bin), a registry version folder, <name>@v<N> or <name>@<alias> (champion, previous, ...)',
    )
    .option('-d, --defense <name>', 'nc | tabor | both', 'nc')
    .option(
      '-t, --threshold <asr>',
      'ASR the reverse-engineered trigger must reach (0.99, 0.75, 0.5, 0.25)',
      '0.99',
    )
    .option('--samples <n>', `clean images to optimise on (default ${DEFAULT_SCAN_OPTIONS.samples})`)
    .option('--epochs <n>', `passes over them at most (default ${DEFAULT_SCAN_OPTIONS.maxEpochs})`)
    .option('--batch <n>', `images per step and label (default ${DEFAULT_SCAN_OPTIONS.batchSize})`)
    .option(
      '--mask-block <n>',
      `one mask value per n x n pixel block, NC's upsample_size (default ${DEFAULT_SCAN_OPTIONS.maskUpsample})`,
    )
    .option(
      '--patience <n>',
      `epochs before the cost moves; early stop after twice that (default ${DEFAULT_SCAN_OPTIONS.cost.patience})`,
    )
    .option(
      '--init-cost <c>',
      `weight of |m|_1 once a trigger is found (default ${DEFAULT_SCAN_OPTIONS.cost.initCost})`,
    )
    .option('--seed <n>', 'seeds the image sample and the initial triggers', '0')
    .option(
      '--dataset <name>',
      'where the clean images come from (default: mnist for 28x28x1 models, colour for 32x32x3)',
    )
    .option('--data-seed <n>', "split seed of the clean test images (default: the path's seed-<n>, else 0)")
    .option('--registry <dir>', 'root of the filesystem model registry, for <name>@v<N>', 'data')
    .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu (default: fastest available)')
    .option(
      '-o, --out <dir>',
      'folder for scan.json and the trigger PNGs (default: <model>.scan/, or scans/<name>-v<N>/ for a registry version)',
    )
    .option('--json', 'print scan.json (without the trigger pixels) on stdout instead of the tables')
    .addHelpText(
      'after',
      `
Examples:
  permanence scan --model runs/nc-badnets-sgd/models/seed-0/F0.bin --defense both
  permanence scan --model live@v3 --defense nc --threshold 0.5
  permanence scan --model live-mnist@champion --registry data

Prints label, mask norm, reached ASR, anomaly index and flag per label; writes <out>/scan.json and
<out>/triggers-<defense>.png. Exit code 0: not flagged; 3: flagged (anomaly index > 2); 1: error; 2: usage.`,
    )
    .action(async (flags: ScanFlags, command: Command) => {
      const { getDefense, parseDefenseList, scanSummary, triggerGridPng } =
        await import('../../defenses/index.ts');
      const defenses = usage(() => parseDefenseList(flags.defense));
      const options = scanOptions(flags);
      const { mkdir, writeFile } = await import('node:fs/promises');
      const { isDatasetName, loadDataset } = await import('../../data/registry.ts');
      if (flags.dataset !== undefined && !isDatasetName(flags.dataset))
        throw new UsageError(`--dataset: unknown data set '${flags.dataset}'`);
      const dataSeedFlag =
        flags.dataSeed === undefined ? undefined : nonNegativeInteger(flags.dataSeed, 'data-seed');
      const { readModelRef } = await import('../model-ref.ts');
      const { path, bytes, verified, version } = await readModelRef(flags.model, flags.registry);
      const { loadBackend } = await import('../../backend/loader.ts');
      const { speedPath } = await import('../../backend/speed-path.ts');
      const { deserializeModel } = await import('../../models/index.ts');
      const notices = backendNotices(Boolean(command.optsWithGlobals().verbose));
      const backend = await loadBackend({ backend: flags.backend, log: notices.log });
      const model = deserializeModel(bytes);
      const dataset = flags.dataset ?? defaultDataset(model.spec);
      if (!isDatasetName(dataset)) throw new UsageError(`unknown data set '${dataset}'`);
      const dataSeed = dataSeedFlag ?? Number(/seed-(\d+)/.exec(path)?.[1] ?? '0');
      const { test } = loadDataset(dataset, dataSeed);
      // Registry versions are immutable: their scan goes to scans/, not into the version folder.
      const out =
        flags.out ??
        (version
          ? join('scans', `${version.name}-v${version.version}`)
          : `${path.replace(/\.bin$/, '')}.scan`);
      await mkdir(out, { recursive: true });
      console.error(
        `backend ${speedPath(backend).summary}; scanning ${path}${verified ? ' (sha256 matches its manifest)' : ''} with ${defenses.join(', ')} on ${dataset} (split seed ${dataSeed})`,
      );
      notices.done(speedPath(backend));
      const results: ScanResult[] = [];
      try {
        for (const name of defenses) {
          const result = await getDefense(name).scan(model, test, options);
          results.push(result);
          if (!flags.json) printTable(result);
          await writeFile(join(out, `triggers-${name}.png`), triggerGridPng(result));
        }
      } finally {
        model.dispose();
      }
      const summary = {
        model: path,
        dataset,
        dataSeed,
        backend: backend.name,
        flagged: results.some((r) => r.flagged),
        files: {
          scan: join(out, 'scan.json'),
          triggers: defenses.map((d) => join(out, `triggers-${d}.png`)),
        },
        scans: results.map((r) => scanSummary(r)),
      };
      const doc = {
        model: path,
        dataset,
        dataSeed,
        backend: backend.name,
        scans: results.map((r) => ({
          ...scanSummary(r),
          triggers: r.triggers.map((t) => ({
            label: t.label,
            mask: round(t.mask),
            pattern: round(t.pattern),
          })),
        })),
      };
      await writeFile(summary.files.scan, JSON.stringify(doc, null, 1));
      if (flags.json) console.log(JSON.stringify(summary, null, 2));
      else console.log(`wrote ${summary.files.scan} and ${summary.files.triggers.join(', ')}`);
      if (summary.flagged) process.exitCode = EXIT_FLAGGED;
    });
}

/** The scan options the flags set (the rest are DEFAULT_SCAN_OPTIONS). */
export function scanOptions(flags: ScanBudgetFlags & { threshold: string }): Partial<ScanOptions> {
  const threshold = Number(flags.threshold);
  if (!(threshold > 0 && threshold <= 1))
    throw new UsageError(`--threshold must be in (0, 1], got '${flags.threshold}'`);
  const patience = flags.patience === undefined ? undefined : integer(flags.patience, 'patience');
  return {
    threshold,
    seed: integer(flags.seed, 'seed'),
    ...(flags.samples !== undefined && { samples: integer(flags.samples, 'samples') }),
    ...(flags.epochs !== undefined && { maxEpochs: integer(flags.epochs, 'epochs') }),
    ...(flags.batch !== undefined && { batchSize: integer(flags.batch, 'batch') }),
    ...(flags.maskBlock !== undefined && { maskUpsample: integer(flags.maskBlock, 'mask-block') }),
    cost: {
      ...DEFAULT_SCAN_OPTIONS.cost,
      ...(patience !== undefined && { patience, earlyStopPatience: 2 * patience }),
      ...(flags.initCost !== undefined && { initCost: positive(flags.initCost, 'init-cost') }),
    },
  };
}

function defaultDataset(spec: ModelSpec): string {
  if (spec.height === 28 && spec.width === 28 && spec.channels === 1) return 'mnist';
  if (spec.height === 32 && spec.width === 32 && spec.channels === 3) return 'colour';
  throw new UsageError(
    `no default data set for ${spec.height}x${spec.width}x${spec.channels} models; pass --dataset`,
  );
}

const integer = nonNegativeInteger;
const positive = positiveNumber;

function round(values: Float32Array): number[] {
  return Array.from(values, (v) => Math.round(v * 1000) / 1000);
}

function printTable(result: ScanResult): void {
  const name = result.defense === 'nc' ? 'Neural Cleanse' : 'TABOR';
  console.log(
    `${name}, threshold ${result.threshold}: ${result.seconds.toFixed(1)} s, ${result.budget.steps} label-steps`,
  );
  console.log('label  norm     ASR     index  flagged');
  for (const l of result.labels) {
    const norm = `${l.norm.toFixed(1)}${l.metThreshold ? '' : '*'}`;
    console.log(
      `${String(l.label).padEnd(6)} ${norm.padEnd(8)} ${(100 * l.asr).toFixed(1).padStart(5)}%  ${l.anomalyIndex.toFixed(2).padStart(5)}  ${l.flagged ? 'yes' : ''}`,
    );
  }
  const verdict = result.flagged ? `FLAGGED (label ${result.flaggedLabels.join(', ')})` : 'not flagged';
  console.log(
    `model anomaly index ${result.modelIndex.toFixed(2)} (label ${result.anomaly.suspect}): ${verdict}`,
  );
  if (result.anomaly.indexCeiling <= 2)
    console.log(
      `index ceiling ${result.anomaly.indexCeiling.toFixed(2)}: even a zero-norm trigger on label ${result.anomaly.suspect} would not be flagged, the other labels' norms spread too widely`,
    );
  if (result.labels.some((l) => !l.metThreshold))
    console.log('* never reached the threshold: norm of the last mask');
}
