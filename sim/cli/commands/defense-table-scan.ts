/** The scanning half of `permanence defense-table`, loaded when the command runs (it needs tfjs). */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { loadDataset, type DatasetName } from '../../data/registry.ts';
import { formatAttack } from '../../attacks/index.ts';
import {
  anomalyIndex,
  DEFAULT_SCAN_OPTIONS,
  getDefense,
  scanSummary,
  type DefenseName,
} from '../../defenses/index.ts';
import type { ScanRecordRow } from '../../defenses/table.ts';
import { applyDrift } from '../../drift/index.ts';
import type { ExperimentResults } from '../../experiment/results.ts';
import { readRunConfig } from '../../experiment/run-folder.ts';
import { inspectionName } from '../../experiment/scan-inspectors.ts';
import { deserializeModel } from '../../models/index.ts';
import { scheduleLabel } from '../../train/schedules.ts';
import { scanOptions } from './scan.ts';
import { budgetTag, type TableFlags } from './defense-table.ts';

/** A scan summary as stored in <run>/defenses/ or results.json (only the fields the tables read). */
const storedScanSchema = z.object({
  modelIndex: z.number(),
  flagged: z.boolean(),
  seconds: z.number(),
  anomaly: z.object({ suspect: z.number(), median: z.number() }).passthrough(),
  labels: z.array(z.object({ label: z.number(), norm: z.number() }).passthrough()),
});
const runScanSchema = storedScanSchema.extend({
  threshold: z.number(),
  budget: z.object({
    samples: z.number(),
    batchSize: z.number(),
    maxEpochs: z.number(),
    maskUpsample: z.number(),
  }),
});
type StoredScan = z.infer<typeof storedScanSchema>;

/**
 * The scan `permanence run --scan` already stored in results.json for this seed, model and
 * inspection name, if it has every field the tables read and ran at this threshold and the
 * default budget. It is the scan the table would run (same budget and scan seed, the model's
 * own drift step's clean test images: docs/defenses.md), so reusing it halves the cost of
 * `run --scan` followed by `defense-table`.
 */
export function scanFromResults(
  results: ExperimentResults | null,
  seed: number,
  model: number,
  name: string,
  threshold: number,
): StoredScan | null {
  const stored = results?.seeds.find((s) => s.seed === seed)?.models[model]?.inspections?.[name];
  const parsed = runScanSchema.safeParse(stored);
  if (!parsed.success) return null;
  const { threshold: t, budget: b } = parsed.data;
  const d = DEFAULT_SCAN_OPTIONS;
  const same =
    t === threshold &&
    b.samples === d.samples &&
    b.batchSize === d.batchSize &&
    b.maxEpochs === d.maxEpochs &&
    b.maskUpsample === d.maskUpsample;
  return same ? parsed.data : null;
}

/**
 * A run still under way has no results.json yet, but each finished seed's seeds/seed-<n>.json
 * holds the same per-model records (ASR, stored scans): read those instead.
 */
async function finishedSeeds(run: string): Promise<ExperimentResults | null> {
  const dir = join(run, 'seeds');
  if (!existsSync(dir)) return null;
  const files = (await readdir(dir)).filter((f) => /^seed-\d+\.json$/.test(f));
  const seeds = await Promise.all(
    files.map(
      async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as ExperimentResults['seeds'][number],
    ),
  );
  return { seeds } as unknown as ExperimentResults;
}

export async function scanRun(
  run: string,
  models: readonly number[],
  defenses: readonly DefenseName[],
  thresholds: readonly number[],
  flags: TableFlags,
): Promise<ScanRecordRow[]> {
  const config = await readRunConfig(run);
  const results = existsSync(join(run, 'results.json'))
    ? (JSON.parse(await readFile(join(run, 'results.json'), 'utf8')) as ExperimentResults)
    : await finishedSeeds(run);
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
          const fromRun =
            budgetTag(options) === ''
              ? scanFromResults(results, seed, index, inspectionName(defense, threshold), threshold)
              : null;
          if (existsSync(file)) {
            scan = storedScanSchema.parse(JSON.parse(await readFile(file, 'utf8')));
          } else if (fromRun) {
            scan = fromRun;
            await writeFile(file, JSON.stringify(fromRun));
          } else {
            const model = deserializeModel(new Uint8Array(await readFile(path)));
            try {
              const summary = scanSummary(await getDefense(defense).scan(model, clean, options));
              await writeFile(file, JSON.stringify(summary));
              scan = storedScanSchema.parse(summary);
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
