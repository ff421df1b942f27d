/** The scanning half of `permanence defense-table`, loaded when the command runs (it needs tfjs). */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadDataset, type DatasetName } from '../../data/registry.ts';
import { formatAttack } from '../../attacks/index.ts';
import { anomalyIndex, getDefense, scanSummary, type DefenseName } from '../../defenses/index.ts';
import type { ScanRecordRow } from '../../defenses/table.ts';
import { applyDrift } from '../../drift/index.ts';
import type { ExperimentResults } from '../../experiment/results.ts';
import { readRunConfig } from '../../experiment/run-folder.ts';
import { deserializeModel } from '../../models/index.ts';
import { scheduleLabel } from '../../train/schedules.ts';
import { scanOptions } from './scan.ts';
import { budgetTag, type TableFlags } from './defense-table.ts';

/** A scan summary as stored in <run>/defenses/ (only the fields the tables read). */
interface StoredScan {
  modelIndex: number;
  flagged: boolean;
  seconds: number;
  anomaly: { suspect: number; median: number };
  labels: { label: number; norm: number }[];
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
