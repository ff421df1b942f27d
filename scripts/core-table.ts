// Summarises the run folders of scripts/reproduce-core.sh (or reproduce-colour.sh) as a
// Markdown table: F0 accuracy/ASR, survivability, worst and final accuracy, static baseline.
//   node --import tsx scripts/core-table.ts runs/core
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { meanStd } from '../sim/metrics/statistics.ts';
import type { ExperimentResults } from '../sim/experiment/results.ts';

const root = process.argv[2];
if (!root) throw new Error('usage: core-table.ts <folder of run folders>');
const pct = (xs: number[]): string => {
  const { mean, std } = meanStd(xs);
  return `${(100 * mean).toFixed(1)} ± ${(100 * std).toFixed(1)}`;
};
const rows: string[] = [
  '| run | seeds | steps/update | F0 acc % | F0 ASR % | 0.5-survivability (per seed) | min acc after updates % | acc F15 % | ASR F15 % | static acc F15 % | wall s |',
  '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
];
for (const name of readdirSync(root).sort()) {
  const file = join(root, name, 'results.json');
  if (!existsSync(file)) continue;
  const r = JSON.parse(readFileSync(file, 'utf8')) as ExperimentResults;
  const seeds = r.seeds;
  const last = (s: (typeof seeds)[number]): (typeof s.models)[number] => s.models[s.models.length - 1];
  const asr = (xs: (number | null)[]): string => (xs.some((x) => x === null) ? '-' : pct(xs as number[]));
  const surv = seeds.map((s) => s.survivability);
  rows.push(
    [
      name,
      seeds.length,
      r.summary.stepsPerUpdate,
      pct(seeds.map((s) => s.models[0].cleanAccuracy)),
      asr(seeds.map((s) => s.models[0].asr)),
      surv.some((v) => v === null)
        ? '-'
        : `${meanStd(surv as number[]).mean.toFixed(1)} (${surv.join(', ')})`,
      pct(seeds.map((s) => Math.min(...s.models.slice(1).map((m) => m.cleanAccuracy)))),
      pct(seeds.map((s) => last(s).cleanAccuracy)),
      asr(seeds.map((s) => last(s).asr)),
      pct(seeds.map((s) => s.static[s.static.length - 1]?.cleanAccuracy ?? Number.NaN)),
      r.wallSeconds.toFixed(0),
    ]
      .join(' | ')
      .replace(/^/, '| ') + ' |',
  );
}
console.log(rows.join('\n'));
