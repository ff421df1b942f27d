import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { ATTACK_KINDS } from '../attacks/registry.ts';
import { DEFENSE_NAMES, defenseNameSchema } from '../defenses/registry.ts';
import type { DefenseName } from '../defenses/types.ts';
import { lastPoisonedModel } from '../experiment/config.ts';
import { meanStd } from '../metrics/statistics.ts';
import type { ExperimentData } from './load.ts';

/**
 * Tables 3-5 (defense scans). The hook: a scan summary (sim/defenses ScanResult without its
 * trigger images) is read from either
 *   - a job's result, `result.models[i].inspections.<name>` (a scan run as a runner inspector), or
 *   - a file `<sweep>/jobs/<id>/defenses/F<i>-<anything>.json` (a scan of a saved model).
 * Only the fields below are used; anything else in the summary is ignored.
 */
export const scanSummarySchema = z.object({
  defense: defenseNameSchema,
  threshold: z.number().gt(0).lte(1),
  /** The model's anomaly index (that of its smallest-norm label). */
  modelIndex: z.number(),
  flagged: z.boolean(),
});
export type ScanSummary = z.infer<typeof scanSummarySchema>;

export interface ScanRecord extends ScanSummary {
  readonly attack: string;
  /** F index of the scanned model (0 = F0). */
  readonly model: number;
  /** Updates after the last poisoned model (0 = the poisoned model itself); null for clean runs. */
  readonly afterPoison: number | null;
}

export async function collectScans(
  dir: string,
  experiments: readonly ExperimentData[],
): Promise<ScanRecord[]> {
  const out: ScanRecord[] = [];
  for (const e of experiments) {
    const attack = e.config.attack?.kind ?? 'clean';
    const last = lastPoisonedModel(e.config);
    const push = (value: unknown, model: number): void => {
      const parsed = scanSummarySchema.safeParse(value);
      if (parsed.success)
        out.push({ ...parsed.data, attack, model, afterPoison: last === null ? null : model - last });
    };
    for (const job of e.jobs) {
      for (const m of job.result.models) for (const v of Object.values(m.inspections ?? {})) push(v, m.index);
      const folder = join(dir, 'jobs', job.id, 'defenses');
      if (!existsSync(folder)) continue;
      for (const file of await readdir(folder)) {
        const match = /^F(\d+)-.*\.json$/.exec(file);
        if (match) push(JSON.parse(await readFile(join(folder, file), 'utf8')), Number(match[1]));
      }
    }
  }
  return out;
}

const ATTACK_ROWS: string[] = ['clean', ...ATTACK_KINDS];
const NAMES = { nc: 'Neural Cleanse', tabor: 'TABOR' } as const;

/** Markdown for Tables 3-5, or a note on how to fill them when the sweep has no scans. */
export function defenseTablesMarkdown(scans: readonly ScanRecord[]): string {
  if (scans.length === 0) {
    return [
      'No defense scans in this sweep. Tables 3-5 fill in from scan summaries (sim/defenses `ScanResult`',
      'without trigger images) stored as `jobs/<id>/defenses/F<i>-<defense>-<threshold>.json` or as runner',
      'inspections in `result.json`; see docs/sweeps.md.',
    ].join('\n');
  }
  const cell = (list: readonly ScanRecord[]): string => {
    if (list.length === 0) return '-';
    const { mean, std } = meanStd(list.map((s) => s.modelIndex));
    const flagged = list.filter((s) => s.flagged).length;
    return `${mean.toFixed(2)} ± ${std.toFixed(2)} (${flagged}/${list.length} flagged)`;
  };
  const table = (
    title: string,
    rows: string[],
    cols: { name: string; pick: (s: ScanRecord) => boolean }[],
    rowsOf: (s: ScanRecord, row: string) => boolean,
  ): string => {
    const lines = [
      `**${title}**`,
      '',
      `| model | ${cols.map((c) => c.name).join(' | ')} |`,
      `| --- | ${cols.map(() => '---').join(' | ')} |`,
    ];
    for (const row of rows) {
      const cells = cols.map((c) => cell(scans.filter((s) => rowsOf(s, row) && c.pick(s))));
      if (cells.some((c) => c !== '-')) lines.push(`| ${row} | ${cells.join(' | ')} |`);
    }
    return lines.join('\n');
  };
  const at99 = (d: DefenseName) => ({
    name: NAMES[d],
    pick: (s: ScanRecord) => s.defense === d && s.threshold === 0.99,
  });
  const f0 = (s: ScanRecord, row: string): boolean =>
    s.attack === row && s.model === 0 && (s.afterPoison === null || s.afterPoison === 0);
  const thresholds = [...new Set(scans.map((s) => s.threshold))]
    .filter((t) => t !== 0.99)
    .sort((a, b) => b - a);
  return [
    table(
      'Table 3: anomaly index of F0, threshold 99% (mean ± std over seeds; > 2 = flagged)',
      ATTACK_ROWS,
      [at99('nc'), at99('tabor')],
      f0,
    ),
    table(
      'Table 4: anomaly index after one benign update (F1 of a D0 injection), threshold 99%',
      ATTACK_ROWS.slice(1),
      [at99('nc'), at99('tabor')],
      (s, row) => s.attack === row && s.afterPoison === 1,
    ),
    thresholds.length === 0
      ? '**Table 5**: no scans at thresholds other than 99% in this sweep.'
      : table(
          'Table 5: anomaly index of F0 at lower ASR thresholds',
          ATTACK_ROWS,
          thresholds.flatMap((t) =>
            DEFENSE_NAMES.map((d) => ({
              name: `${NAMES[d]} ${Math.round(t * 100)}%`,
              pick: (s: ScanRecord) => s.defense === d && s.threshold === t,
            })),
          ),
          f0,
        ),
  ].join('\n\n');
}
