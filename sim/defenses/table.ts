/** Markdown tables of scan records, laid out like the paper's Tables 3-5. */
import { ATTACK_KINDS } from '../attacks/registry.ts';
import { formatBand, mean } from '../metrics/statistics.ts';
import { DEFENSE_NAMES } from './registry.ts';
import type { DefenseName } from './types.ts';

export interface ScanRecordRow {
  /** Row name: 'clean', 'badnets', 'blend:alpha=0.05' (the attack spec as `run --attack` takes it). */
  readonly attack: string;
  /** The update schedule that made F1.. (scheduleLabel: 'SGD 0.01', 'STLR 0.5'): rows of updated models differ by it. */
  readonly update: string;
  readonly seed: number;
  /** Model index (0 = F0). */
  readonly model: number;
  readonly defense: DefenseName;
  readonly threshold: number;
  readonly modelIndex: number;
  /** The index a zero-norm trigger on the suspect label would reach (see AnomalyReport). */
  readonly indexCeiling: number;
  readonly flagged: boolean;
  /** The smallest-norm label and the attack's target. */
  readonly suspect: number;
  readonly target: number | null;
  readonly targetNorm: number | null;
  readonly medianNorm: number;
  /** ASR of the attack's trigger on this model (from results.json), null for clean runs. */
  readonly asr: number | null;
  readonly seconds: number;
}

// The paper's row order: clean first, then the attacks in registry order.
const ROW_ORDER: readonly string[] = ['clean', ...ATTACK_KINDS];

/** The table row of a record: the attack, and for an updated model the update that made it. */
function rowName(r: ScanRecordRow): string {
  return r.model === 0 ? r.attack : `${r.attack}, ${r.update} update`;
}

function rowRank(name: string): number {
  const i = ROW_ORDER.indexOf(name.split(/[:,]/)[0]);
  return i < 0 ? ROW_ORDER.length : i;
}
const DEFENSE_TITLE = { nc: 'NC', tabor: 'TABOR' } as const;

/** "2.31 ± 0.20 (2/3)": mean model index over seeds, and how many seeds were flagged. */
export function cell(rows: readonly ScanRecordRow[]): string {
  if (rows.length === 0) return '-';
  const idx = rows.map((r) => r.modelIndex);
  return `${formatBand(idx)} (${rows.filter((r) => r.flagged).length}/${rows.length})`;
}

/** One table: a row per attack, a column per (threshold, defense), for one model index. */
export function indexTable(records: readonly ScanRecordRow[], model: number): string {
  const at = records.filter((r) => r.model === model);
  const thresholds = [...new Set(at.map((r) => r.threshold))].sort((a, b) => b - a);
  const defenses = DEFENSE_NAMES.filter((d) => at.some((r) => r.defense === d));
  const rows = [...new Set(at.map(rowName))].sort((a, b) => rowRank(a) - rowRank(b) || a.localeCompare(b));
  const cols = thresholds.flatMap((t) => defenses.map((d) => ({ t, d })));
  const head = `| model F${model} | ${cols.map(({ t, d }) => `${DEFENSE_TITLE[d]} ${Math.round(t * 100)}%`).join(' | ')} |`;
  const rule = `| --- | ${cols.map(() => '---').join(' | ')} |`;
  const body = rows.map((a) => {
    const asr = at.filter((r) => rowName(r) === a && r.asr !== null).map((r) => r.asr as number);
    const name = asr.length > 0 ? `${a} (ASR ${(100 * mean(asr)).toFixed(1)}%)` : a;
    return `| ${name} | ${cols.map(({ t, d }) => cell(at.filter((r) => rowName(r) === a && r.threshold === t && r.defense === d))).join(' | ')} |`;
  });
  return [head, rule, ...body].join('\n');
}

/** Every scan, one line each: the evidence behind the summary tables. */
export function detailTable(records: readonly ScanRecordRow[]): string {
  const head =
    '| attack | update | seed | F | defense | threshold | ASR | index | ceiling | flagged | smallest label | target norm | median norm | s |';
  const rule = '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |';
  const pct = (v: number | null): string => (v === null ? '-' : `${(100 * v).toFixed(1)}%`);
  const body = [...records]
    .sort(
      (a, b) =>
        rowRank(a.attack) - rowRank(b.attack) ||
        a.model - b.model ||
        a.update.localeCompare(b.update) ||
        a.defense.localeCompare(b.defense) ||
        b.threshold - a.threshold ||
        a.seed - b.seed,
    )
    .map(
      (r) =>
        `| ${r.attack} | ${r.model === 0 ? '-' : r.update} | ${r.seed} | ${r.model} | ${r.defense} | ${r.threshold} | ${pct(r.asr)} | ${r.modelIndex.toFixed(2)} | ${r.indexCeiling.toFixed(2)} | ${r.flagged ? 'yes' : 'no'} | ${r.suspect}${r.target !== null && r.suspect === r.target ? ' (target)' : ''} | ${r.targetNorm === null ? '-' : r.targetNorm.toFixed(1)} | ${r.medianNorm.toFixed(1)} | ${r.seconds.toFixed(0)} |`,
    );
  return [head, rule, ...body].join('\n');
}
