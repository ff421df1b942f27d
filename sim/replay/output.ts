/**
 * A replay's run folder (docs/replay.md): replay.json (every result: rows, summary,
 * references), replay.csv (one row per policy and version), table.md (the policy table)
 * and replay.svg (recorded vs counterfactual ASR and clean accuracy per version).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { TopLevelSpec } from 'vega-lite';
import { z } from 'zod';
import { PALETTE, renderSvg } from '../experiment/plot.ts';
import { writeAtomic } from '../experiment/run-folder.ts';
import type { ReplayResult } from './engine.ts';

const pct = (x: number | null) => (x === null ? '-' : `${(100 * x).toFixed(1)}%`);
const num = (x: number | null) => (x === null ? '-' : x.toFixed(2));

/** The ASR of the summary's campaign in a model, or null. */
function asrOf(asr: Readonly<Record<string, number>>, campaign: string | null): number | null {
  return campaign === null ? null : (asr[campaign] ?? null);
}

/** The defender's trade-off in one look: one line per policy, the recorded history first. */
export function policyTable(results: readonly ReplayResult[]): string {
  if (results.length === 0) return '';
  const first = results[0];
  const head =
    '| policy | versions until ASR <= gamma | removed at | survivability | ASR area | mean accuracy | min accuracy | accuracy cost |';
  const line = (name: string, s: ReplayResult['summary']['recorded'], cost: number | null) =>
    `| ${name} | ${s.versionsUntilRemoval ?? 'not removed'} | ${s.removedAt === null ? '-' : `v${s.removedAt}`} | ${s.survivability} | ${num(s.asrArea)} | ${pct(s.meanAccuracy)} | ${pct(s.minAccuracy)} | ${cost === null ? '-' : `${(100 * cost).toFixed(1)} pt`} |`;
  return [
    head,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    line('recorded', first.summary.recorded, 0),
    ...results.map((r) => line(r.policy, r.summary.counterfactual, r.summary.accuracyCost)),
  ].join('\n');
}

export function replayCsv(results: readonly ReplayResult[]): string {
  const rows = results.flatMap((r) =>
    r.rows.map((row) => ({
      policy: r.policy,
      version: row.version,
      step: row.step,
      poisoned: row.poisoned.join(' '),
      recorded_schedule: row.recorded.schedule,
      schedule: row.counterfactual.schedule,
      recorded_accuracy: row.recorded.cleanAccuracy,
      accuracy: row.counterfactual.cleanAccuracy,
      recorded_asr: asrOf(row.recorded.asr, r.summary.campaign),
      asr: asrOf(row.counterfactual.asr, r.summary.campaign),
      diverged: row.counterfactual.diverged,
      scan_index: row.scan?.anomalyIndex ?? null,
      scan_flagged: row.scan?.flagged ?? null,
    })),
  );
  return stringify(rows, { header: true, cast: { boolean: (b) => String(b) } });
}

/** ASR (top) and clean accuracy (bottom) per version: the recorded line dashed, one per policy. */
export function replayFigureSpec(results: readonly ReplayResult[], title: string): TopLevelSpec {
  const values: { version: number; series: string; metric: string; value: number }[] = [];
  const push = (version: number, series: string, metric: string, value: number | null) => {
    if (value !== null) values.push({ version, series, metric, value });
  };
  const first = results[0];
  const campaign = first?.summary.campaign ?? null;
  for (const row of first?.rows ?? []) {
    push(row.version, 'recorded', 'ASR', asrOf(row.recorded.asr, campaign));
    push(row.version, 'recorded', 'clean accuracy', row.recorded.cleanAccuracy);
  }
  for (const r of results)
    for (const row of r.rows) {
      push(row.version, r.policy, 'ASR', asrOf(row.counterfactual.asr, campaign));
      push(row.version, r.policy, 'clean accuracy', row.counterfactual.cleanAccuracy);
    }
  const series = ['recorded', ...results.map((r) => r.policy)];
  const panel = (metric: string, gamma: number | null) => ({
    width: 520,
    height: 200,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    layer: [
      {
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'version', type: 'quantitative', title: 'registry version', axis: { tickMinStep: 1 } },
          y: { field: 'value', type: 'quantitative', title: metric, scale: { domain: [0, 1] } },
          color: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { domain: series, range: PALETTE },
            // Policy names are long (scan-stlr:stlr:0.5:0.1:updates=2:every=1): no ellipsis.
            legend: { labelLimit: 400 },
          },
          // Same field and title as the colour: one legend shows both.
          strokeDash: {
            field: 'series',
            type: 'nominal',
            title: null,
            scale: { domain: series, range: series.map((s) => (s === 'recorded' ? [6, 4] : [1, 0])) },
          },
        },
      },
      ...(gamma === null
        ? []
        : [{ mark: { type: 'rule', strokeDash: [3, 3], color: '#666' }, encoding: { y: { datum: gamma } } }]),
    ],
  });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    data: { values },
    vconcat: [panel('ASR', first?.summary.gamma ?? 0.5), panel('clean accuracy', null)],
  } as TopLevelSpec;
}

export interface ReplayFolderFiles {
  json: string;
  csv: string;
  table: string;
  figure: string;
}

export async function writeReplayFolder(
  dir: string,
  results: readonly ReplayResult[],
): Promise<ReplayFolderFiles> {
  await mkdir(dir, { recursive: true });
  const files = {
    json: join(dir, 'replay.json'),
    csv: join(dir, 'replay.csv'),
    table: join(dir, 'table.md'),
    figure: join(dir, 'replay.svg'),
  };
  const first = results[0];
  const title = first
    ? `${first.name} v${first.from}..v${first.to}: counterfactual replay (campaign ${first.summary.campaign ?? '-'})`
    : 'replay';
  await writeAtomic(files.json, `${JSON.stringify({ format: 1, results }, null, 2)}\n`);
  await writeAtomic(files.csv, replayCsv(results));
  await writeAtomic(files.table, `${policyTable(results)}\n`);
  await writeAtomic(files.figure, await renderSvg(replayFigureSpec(results, title)));
  return files;
}

const storedReplaySchema = z.object({
  format: z.literal(1),
  results: z.array(
    z.object({ name: z.string(), references: z.array(z.number().int().positive()) }).passthrough(),
  ),
});

/**
 * The registry versions a stored replay.json refers to, per model: a retention policy
 * (`permanence registry gc`) must keep them while the replay is kept.
 */
export function replayReferences(json: unknown): Map<string, number[]> {
  const out = new Map<string, Set<number>>();
  for (const r of storedReplaySchema.parse(json).results) {
    const set = out.get(r.name) ?? new Set<number>();
    for (const v of r.references) set.add(v);
    out.set(r.name, set);
  }
  return new Map([...out].map(([name, set]) => [name, [...set].sort((a, b) => a - b)]));
}
