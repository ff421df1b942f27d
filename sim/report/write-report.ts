import { stringify } from 'csv-stringify/sync';
import { join, relative } from 'node:path';
import { writeFigure } from '../experiment/figure-files.ts';
import { DEFAULT_FIGURE_FORMATS, type FigureFormat } from '../figure-formats.ts';
import { dodgeCoinciding, plural, seedsLabel, timelineCaption } from '../experiment/figure-style.ts';
import { writeAtomic } from '../experiment/run-folder.ts';
import { describeDrift } from '../drift/index.ts';
import { mean } from '../metrics/statistics.ts';
import { describeSchedule } from '../train/schedules.ts';
import { collectScans, defenseTablesMarkdown } from './defense-tables.ts';
import { attackLabel, figureData, FIGURES, type FigureData } from './figures.ts';
import type { ExperimentData, SweepData } from './load.ts';
import { fig10Rows, fig2Rows, metricRows, paperTable } from './paper-figures.ts';
import { metricSpec, timelinesSpec, type TimelineRow } from './specs.ts';
import { interpolationRows, interpolationTable, staticSurvivability } from './sensitivity.ts';
import { asrTimelineRows, referenceExperiments, staticRows } from './timelines.ts';
import { SITTING_GAP_SECONDS, sweepWallTime } from './wall-time.ts';

export interface ReportOutput {
  readonly markdown: string;
  readonly figures: readonly string[];
}

/**
 * Writes <out>/report.md, <out>/figures/<name>.<format> (default SVG and PNG), and <out>/experiments.csv for a sweep folder:
 * every paper figure the sweep's cells allow, a table of all cells, the defense tables, and
 * the commands that made it.
 */
export async function writeReport(
  sweep: SweepData,
  out: string,
  reportCommand: string,
  options: { readonly formats?: readonly FigureFormat[]; readonly notes?: readonly string[] } = {},
): Promise<ReportOutput> {
  const { meta, index, experiments } = sweep;
  const { formats = DEFAULT_FIGURE_FORMATS, notes = [] } = options;
  const figures: string[] = [];
  const sections: string[] = [];
  // Each figure in every format asked for; the Markdown shows the PNG.
  const svg = async (name: string, spec: Parameters<typeof writeFigure>[1]): Promise<string> => {
    const paths = await writeFigure(join(out, 'figures', name), spec, formats);
    figures.push(...paths);
    const png = paths.find((p) => p.endsWith('.png')) ?? paths[0];
    return `![${name}](${relative(out, png)})`;
  };

  const reference = referenceExperiments(meta.spec, experiments);
  const seedCount = meta.spec.seeds.length;
  const gamma = experiments[0]?.config.gamma ?? 0.5;
  const timeline = asrTimelineRows(reference);
  if (timeline.length > 0) {
    const image = await svg(
      'fig2-asr-accuracy',
      timelinesSpec(timeline, 'ASR and clean accuracy per update (Fig. 2)', gamma),
    );
    const caption = timelineCaption(seedCount, gamma, figureDodged(timeline));
    sections.push(
      `### Fig. 2: ASR and accuracy per update (finding 1)\n\nBase config, default trigger per attack. ${caption}\n\n${image}\n\n${paperTable(fig2Rows(timeline))}`,
    );
  }
  const statics = staticRows(reference);
  if (statics.length > 0) {
    const image = await svg(
      'fig10-static-baseline',
      timelinesSpec(
        statics,
        'Static F0 vs updated model on drifted test sets (Fig. 10)',
        null,
        'clean accuracy',
      ),
    );
    const caption = timelineCaption(seedCount, null, figureDodged(statics));
    sections.push(
      `### Fig. 10: a static F0 under drift\n\nThe F0 of the cells above, never updated, on the same drifted test sets, beside the updated models. ${caption}\n\n${image}\n\n${paperTable(fig10Rows(statics))}`,
    );
  }
  const figureTables: string[] = [];
  for (const def of FIGURES) {
    const data = figureData(def, experiments);
    if (!data) continue;
    const image = await svg(`${def.key}`, metricSpec(data, `${def.title} (${def.paper})`));
    sections.push(
      `### ${def.paper}: ${def.title}\n\nFinding ${def.finding}. ${metricCaption(data)}\n\n${image}\n\n${paperTable(metricRows(def.key, data.points))}\n\n${pointsTable(data)}`,
    );
    figureTables.push(def.key);
  }

  const interpolation = interpolationRows(experiments);
  if (interpolation.length > 0) {
    sections.push(
      `### Sensitivity: the rotation's interpolation\n\nCells that differ only in how the rotation resamples ` +
        `(nearest is torchvision's default; the paper does not say). Static F0 survivability: how long the ` +
        `unchanged F0 answers the trigger on the same drifted test sets (when it falls as early, the drift ` +
        `broke the trigger rather than the update removing it).\n\n${interpolationTable(interpolation)}`,
    );
  }

  const scans = await collectScans(sweep.dir, experiments);
  const failed = index.jobs.filter((j) => j.status === 'failed');
  const cpuSeconds = experiments.reduce((a, e) => a + e.jobs.reduce((b, j) => b + j.run.seconds, 0), 0);
  const backends = [...new Set(experiments.flatMap((e) => e.jobs.map((j) => j.run.backend)))];
  const workers = new Set(experiments.flatMap((e) => e.jobs.map((j) => j.run.worker)));
  const hosts = [...new Set([...workers].map((w) => w.replace(/:\d+$/, '')))];
  const wall = sweepWallTime(experiments.flatMap((e) => e.jobs.map((j) => j.run)));
  const markdown = [
    `# Sweep report: ${meta.name}`,
    '',
    meta.spec.description
      ? `${meta.quick ? 'The quick (CI) scale of: ' : ''}${meta.spec.description.trim()}\n`
      : '',
    `- jobs: ${index.done}/${index.total} done, ${index.failed} failed, ${index.total - index.done - index.failed} pending` +
      ` (${experiments.length} experiments x ${seedsLabel(meta.spec.seeds.length)})${meta.quick ? '; **quick (CI) scale**' : ''}`,
    `- job time: ${(cpuSeconds / 60).toFixed(1)} min summed over jobs, ${plural(workers.size, 'worker process', 'worker processes')}, backend ${backends.join(', ') || '-'}`,
    `- wall time: ${(wall.busySeconds / 3600).toFixed(1)} h in ${plural(wall.sittings, 'sitting', 'sittings')} (no pause over ${SITTING_GAP_SECONDS / 60} min within one),` +
      ` ${wall.firstStart?.slice(0, 16).replace('T', ' ') ?? '-'} to ${wall.lastFinish?.slice(0, 16).replace('T', ' ') ?? '-'} UTC, on ${plural(hosts.length, 'host', 'hosts')} (${hosts.join(', ') || '-'})`,
    `- scale: ${scaleLine(experiments)}`,
    ...notes.map((n) => `- ${n}`),
    `- survivability: gamma = ${gamma}, counted over at most ${experiments[0]?.config.horizon ?? 14} updates after the last poisoned model`,
    '',
    '## Commands',
    '',
    '```sh',
    // A resumed sweep records its command again; each distinct one once, in first-run order.
    ...new Set(meta.commands),
    reportCommand,
    '# one cell on its own (its config is in experiments/<id>.json):',
    `permanence run --config ${join(sweep.dir, 'experiments', `${experiments[0]?.id ?? '<id>'}.json`)} --out runs/one-cell`,
    '```',
    '',
    '## Figures',
    '',
    sections.length > 0 ? sections.join('\n\n') : 'No figure: no two finished cells differ in one knob only.',
    '',
    '## Defense scans (Tables 3-5, finding 8)',
    '',
    defenseTablesMarkdown(scans),
    '',
    '## All experiments',
    '',
    experimentsTable(experiments),
    failed.length > 0
      ? `\n**Failed jobs**\n\n${failed.map((f) => `- ${f.id}: ${f.error ?? ''}`).join('\n')}`
      : '',
    '',
  ].join('\n');
  await writeAtomic(join(out, 'report.md'), markdown);
  await writeAtomic(join(out, 'experiments.csv'), experimentsCsv(experiments));
  return { markdown, figures };
}

const pct = (v: number): string => `${(100 * v).toFixed(1)}%`;

/** Whether two series of a timeline coincide somewhere, so the figure offsets them. */
function figureDodged(rows: readonly TimelineRow[]): boolean {
  const xs = dodgeCoinciding(
    rows.map((r) => ({ panel: r.panel, series: r.series, x: r.model, mean: r.mean })),
    { tolerance: 0.005, step: 1 },
  );
  return xs.some((x, i) => x !== rows[i].model);
}

/** What a metric figure's points, bars and offsets are. */
function metricCaption(data: FigureData): string {
  const seeds = [...new Set(data.points.map((p) => p.seeds))].sort((a, b) => a - b);
  const n = seeds.length === 1 ? seedsLabel(seeds[0]) : `${seeds.join('-')} seeds`;
  const points = seeds.every((s) => s <= 1)
    ? 'Points: 1 seed, so no error bar'
    : `Points: mean over ${n}; bars: ±1 std over the seeds`;
  const xs = dodgeCoinciding(
    data.points.map((p) => ({ panel: p.panel, series: p.line, x: p.x, mean: p.mean })),
    { tolerance: 0.005 * data.yMax, step: 1 },
  );
  const dodged = xs.some((x, i) => x !== data.points[i].x);
  return `${points}${dodged ? '; lines that coincide are drawn slightly apart sideways so that both show' : ''}.`;
}

/** The training scale of the base cells, e.g. what --quick changed (cells may override parts). */
function scaleLine(experiments: readonly ExperimentData[]): string {
  const e = experiments.find((x) => x.results) ?? experiments[0];
  if (!e) return '-';
  const c = e.config;
  const steps = e.results?.summary.stepsPerUpdate;
  return (
    `${c.dataset}, ${c.model}; F0 ${plural(c.f0.epochs, 'epoch')} (batch ${c.f0.batchSize}); ${plural(c.updates, 'update')} of ` +
    `${c.poolSubset ?? 'all'} pool images x ${plural(c.update.epochs, 'epoch')}, batch ${c.update.batchSize}` +
    `${steps ? ` (${steps} steps)` : ''}; seeds ${c.seeds.join(', ')}`
  );
}

function pointsTable(data: FigureData): string {
  const pm = (m: number, s: number): string =>
    data.def.metric === 'finalAccuracy' ? `${pct(m)} ± ${pct(s)}` : `${m.toFixed(2)} ± ${s.toFixed(2)}`;
  const lines = ['| panel | line | x | value (mean ± std) | seeds |', '| --- | --- | --- | --- | --- |'];
  const sorted = [...data.points].sort(
    (a, b) => a.panel.localeCompare(b.panel) || a.line.localeCompare(b.line) || a.x - b.x,
  );
  for (const p of sorted)
    lines.push(`| ${p.panel} | ${p.line} | ${p.x} | ${pm(p.mean, p.std)} | ${p.seeds} |`);
  return `<details><summary>values</summary>\n\n${lines.join('\n')}\n\n</details>`;
}

function cellLabel(e: ExperimentData): Record<string, string> {
  const c = e.config;
  return {
    attack: c.attack ? attackLabel(c.attack) : 'clean',
    injection: c.injection.mode === 'persistent' ? `persistent:${c.injection.updates}` : c.injection.mode,
    ratio: String(c.poisonRatio),
    drift: describeDrift(c.drift),
    update: `${describeSchedule(c.update.schedule)} x${c.update.epochs}`,
  };
}

function experimentsTable(experiments: readonly ExperimentData[]): string {
  const lines = [
    '| id | attack | injection | ratio | drift | update | seeds | injected ASR | survivability | static F0 surv. | ASR after last | static F0 ASR after last | acc. after last |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const e of experiments) {
    const l = cellLabel(e);
    const r = e.results;
    const inj = r ? r.seeds.map((s) => s.injectedAsr).filter((v): v is number => v !== null) : [];
    const injected = inj.length > 0 ? pct(mean(inj)) : '-';
    const warn =
      r && r.summary.ineffectiveSeeds.length > 0 ? ` (< 99% in ${r.summary.ineffectiveSeeds.length})` : '';
    const surv = r?.summary.survivability
      ? `${r.summary.survivability.mean.toFixed(2)} ± ${r.summary.survivability.std.toFixed(2)}`
      : '-';
    const last = r ? r.summary.models[r.summary.models.length - 1]?.cleanAccuracy : undefined;
    // Survivability saturates at the horizon when ASR decays slowly; the last ASR still ranks cells.
    const lastAsr = r ? r.summary.models[r.summary.models.length - 1]?.asr : undefined;
    const lastStatic = r ? r.summary.models[r.summary.models.length - 1]?.staticAsr : undefined;
    // The static F0 on the same test sets tells forgetting apart from a trigger the drift broke.
    const statics = (r?.seeds ?? []).map((s) => staticSurvivability(e.config, s)).filter((v) => v !== null);
    const staticSurv = statics.length > 0 ? statics.join(', ') : '-';
    lines.push(
      `| ${e.id} | ${l.attack} | ${l.injection} | ${l.ratio} | ${l.drift} | ${l.update} | ${e.jobs.length} | ${injected}${warn} | ${surv} | ${staticSurv} | ${lastAsr ? pct(lastAsr.mean) : '-'} | ${lastStatic ? pct(lastStatic.mean) : '-'} | ${last ? pct(last.mean) : '-'} |`,
    );
  }
  return lines.join('\n');
}

/** One row per experiment of a sweep (RFC 4180 quoting: drift labels hold commas). */
export function experimentsCsv(experiments: readonly ExperimentData[]): string {
  const columns = [
    'id',
    'attack',
    'injection',
    'poison_ratio',
    'drift',
    'update',
    'seeds',
    'injected_asr_mean',
    'survivability_mean',
    'survivability_std',
    'final_accuracy_mean',
  ];
  const rows = experiments.map((e) => {
    const l = cellLabel(e);
    const r = e.results;
    const inj = r ? r.seeds.map((s) => s.injectedAsr).filter((v): v is number => v !== null) : [];
    const last = r?.summary.models[r.summary.models.length - 1]?.cleanAccuracy;
    return [
      e.id,
      l.attack,
      l.injection,
      l.ratio,
      l.drift,
      l.update,
      e.jobs.length,
      inj.length > 0 ? mean(inj).toFixed(4) : '',
      r?.summary.survivability?.mean.toFixed(3) ?? '',
      r?.summary.survivability?.std.toFixed(3) ?? '',
      last ? last.mean.toFixed(4) : '',
    ];
  });
  return stringify(rows, { header: true, columns });
}
