import type { Command } from 'commander';
import type { BackendName } from '../../backend/loader.ts';
import type { ScanOptions } from '../../defenses/index.ts';
import type { ScanRecordRow } from '../../defenses/table.ts';
import { DEFAULT_SCAN_OPTIONS } from '../../defenses/scan-defaults.ts';
import { backendNotices } from '../notices.ts';
import { nonNegativeInteger, usage, UsageError } from '../usage.ts';
import type { ScanBudgetFlags } from './scan.ts';

export interface TableFlags extends ScanBudgetFlags {
  models: string;
  defense: string;
  thresholds: string;
  seeds?: string;
  backend?: BackendName;
  out?: string;
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
    .action(async (runs: string[], flags: TableFlags, cmd: Command) => {
      const { mkdir, writeFile } = await import('node:fs/promises');
      const { dirname } = await import('node:path');
      const { parseDefenseList } = await import('../../defenses/index.ts');
      const { detailTable, indexTable } = await import('../../defenses/table.ts');
      const { loadBackend } = await import('../../backend/loader.ts');
      const { speedPath } = await import('../../backend/speed-path.ts');
      const { scanRun } = await import('./defense-table-scan.ts');
      const defenses = usage(() => parseDefenseList(flags.defense));
      const thresholds = flags.thresholds.split(',').map(Number);
      if (thresholds.some((t) => !(t > 0 && t <= 1)))
        throw new UsageError(`--thresholds must be ASRs in (0, 1], got '${flags.thresholds}'`);
      const models = flags.models.split(',').map((m) => nonNegativeInteger(m, 'models'));
      const notices = backendNotices(Boolean(cmd.optsWithGlobals().verbose));
      const backend = await loadBackend({ backend: flags.backend, log: notices.log });
      notices.done(speedPath(backend));
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
