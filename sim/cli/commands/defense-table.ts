import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadBackend, type BackendName } from '../../backend/loader.ts';
import { loadDataset, type DatasetName } from '../../data/registry.ts';
import { formatAttack } from '../../attacks/index.ts';
import {
  anomalyIndex,
  DEFAULT_SCAN_OPTIONS,
  getDefense,
  parseDefenseList,
  scanSummary,
  type DefenseName,
  type ScanOptions,
} from '../../defenses/index.ts';
import { detailTable, indexTable, type ScanRecordRow } from '../../defenses/table.ts';
import { applyDrift } from '../../drift/index.ts';
import type { ExperimentResults } from '../../experiment/results.ts';
import { readRunConfig } from '../../experiment/run-folder.ts';
import { deserializeModel } from '../../models/index.ts';
import { scheduleLabel } from '../../train/schedules.ts';
import { scanOptions, type ScanBudgetFlags } from './scan.ts';

interface TableFlags extends ScanBudgetFlags {
  models: string;
  defense: string;
  thresholds: string;
  seeds?: string;
  backend?: BackendName;
  out?: string;
}

/** A scan summary as stored in <run>/defenses/ (only the fields the tables read). */
interface StoredScan {
  modelIndex: number;
  flagged: boolean;
  seconds: number;
  anomaly: { suspect: number; median: number };
  labels: { label: number; norm: number }[];
}

export function registerDefenseTable(program: Command): void {
  program
    .command('defense-table')
    .description(
      "Scan the saved models of run folders (Neural Cleanse, TABOR) and tabulate like the paper's Tables 3-5.",
    )
    .argument('<runs...>', 'run folders made with `permanence run --save-models`')
    .option('--models <list>', 'model indices to scan (0 = F0)', '0')
    .option('-d, --defense <name>', 'nc | tabor | both', 'both')
    .option('--thresholds <list>', 'ASR thresholds', '0.99')
    .option('--samples <n>', 'clean images per scan')
    .option('--epochs <n>', 'max epochs per scan')
    .option('--batch <n>', 'images per step and label')
    .option('--patience <n>', "NC's patience (early stop after twice that)")
    .option('--init-cost <c>', 'weight of |m|_1 once a trigger is found')
    .option('--mask-block <n>', "one mask value per n x n pixel block (NC's upsample_size)")
    .option('--seed <n>', 'scan seed', '0')
    .option('--seeds <list>', "only these experiment seeds (default: every seed-<n> in the run's models/)")
    .option('--backend <name>', 'tensorflow-gpu | tensorflow | wasm | cpu')
    .option('-o, --out <file>', 'markdown file for the tables (also <file>.json with every record)')
    .addHelpText(
      'after',
      `
Each scan is stored as <run>/defenses/seed-<n>-F<i>-<defense>-<threshold>.json and reused when the
command is run again, so it resumes and several commands can fill different run folders at once.
F<i> is scanned on the clean test images of its own drift step.`,
    )
    .action(async (runs: string[], flags: TableFlags) => {
      const defenses = parseDefenseList(flags.defense);
      const thresholds = flags.thresholds.split(',').map(Number);
      const models = flags.models.split(',').map(Number);
      const backend = await loadBackend({ backend: flags.backend });
      const records: ScanRecordRow[] = [];
      for (const run of runs) records.push(...(await scanRun(run, models, defenses, thresholds, flags)));
      const command = `permanence defense-table ${process.argv.slice(3).join(' ')}`;
      const text = [
        `Made by \`${command}\` (backend ${backend.name}).`,
        'Cells: mean ± std of the model anomaly index over seeds (flagged seeds / seeds).',
        '',
        ...models.flatMap((m) => [indexTable(records, m), '']),
        detailTable(records),
        '',
      ].join('\n');
      console.log(text);
      if (flags.out) {
        await mkdir(dirname(flags.out), { recursive: true });
        await writeFile(flags.out, text);
        await writeFile(`${flags.out}.json`, JSON.stringify(records, null, 1));
      }
    });
}

async function scanRun(
  run: string,
  models: readonly number[],
  defenses: readonly DefenseName[],
  thresholds: readonly number[],
  flags: TableFlags,
): Promise<ScanRecordRow[]> {
  const config = await readRunConfig(run);
  const results = existsSync(join(run, 'results.json'))
    ? (JSON.parse(await readFile(join(run, 'results.json'), 'utf8')) as ExperimentResults)
    : null;
  const seeds = (await readdir(join(run, 'models')))
    .map((d) => /^seed-(\d+)$/.exec(d))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => Number(m[1]))
    .filter((seed) => flags.seeds === undefined || flags.seeds.split(',').map(Number).includes(seed))
    .sort((a, b) => a - b);
  const out: ScanRecordRow[] = [];
  await mkdir(join(run, 'defenses'), { recursive: true });
  for (const seed of seeds) {
    const test = loadDataset(config.dataset as DatasetName, seed).test;
    for (const index of models) {
      const path = join(run, 'models', `seed-${seed}`, `F${index}.bin`);
      if (!existsSync(path)) continue;
      const clean = applyDrift(test, config.drift, index);
      for (const threshold of thresholds) {
        for (const defense of defenses) {
          const options = {
            ...scanOptions({ ...flags, threshold: String(threshold) }),
            seed: Number(flags.seed),
          };
          const name = `seed-${seed}-F${index}-${defense}-${threshold}${budgetTag(options)}.json`;
          const file = join(run, 'defenses', name);
          let scan: StoredScan;
          if (existsSync(file)) {
            scan = JSON.parse(await readFile(file, 'utf8')) as StoredScan;
          } else {
            const model = deserializeModel(new Uint8Array(await readFile(path)));
            try {
              const summary = scanSummary(await getDefense(defense).scan(model, clean, options));
              await writeFile(file, JSON.stringify(summary));
              scan = summary as unknown as StoredScan;
            } finally {
              model.dispose();
            }
            console.error(
              `${run} seed ${seed} F${index} ${defense}@${threshold}: index ${scan.modelIndex.toFixed(2)} (${scan.seconds.toFixed(0)} s)`,
            );
          }
          const target = config.attack ? config.target : null;
          out.push({
            attack: config.attack ? formatAttack(config.attack) : 'clean',
            update: scheduleLabel(config.update.schedule),
            seed,
            model: index,
            defense,
            threshold,
            modelIndex: scan.modelIndex,
            indexCeiling: anomalyIndex(scan.labels.map((l) => l.norm)).indexCeiling,
            flagged: scan.flagged,
            suspect: scan.anomaly.suspect,
            target,
            targetNorm: target === null ? null : (scan.labels.find((l) => l.label === target)?.norm ?? null),
            medianNorm: scan.anomaly.median,
            asr: results?.seeds.find((s) => s.seed === seed)?.models[index]?.asr ?? null,
            seconds: scan.seconds,
          });
        }
      }
    }
  }
  return out;
}

/**
 * Part of a cached scan's file name that tells budgets apart: empty at the default budget
 * (so existing caches stay valid), else the fields that differ, e.g. `-samples300-block2`.
 */
export function budgetTag(options: Partial<ScanOptions>): string {
  const d = DEFAULT_SCAN_OPTIONS;
  const parts: [string, number | undefined, number][] = [
    ['samples', options.samples, d.samples],
    ['epochs', options.maxEpochs, d.maxEpochs],
    ['batch', options.batchSize, d.batchSize],
    ['patience', options.cost?.patience, d.cost.patience],
    ['cost', options.cost?.initCost, d.cost.initCost],
    ['block', options.maskUpsample, d.maskUpsample],
    ['seed', options.seed, d.seed],
  ];
  return parts
    .filter(([, value, fallback]) => value !== undefined && value !== fallback)
    .map(([key, value]) => `-${key}${value}`)
    .join('');
}
