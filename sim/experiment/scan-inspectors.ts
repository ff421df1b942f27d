/**
 * Scans as experiment-runner inspectors (`permanence run --scan nc,tabor --scan-at 0,1`). The
 * spec is plain data so a seed worker thread can rebuild the inspectors itself. Each model
 * is scanned on clean test images of its own drift step (the defender's data of the day).
 */
import { getDefense } from '../defenses/registry.ts';
import { scanSummary } from '../defenses/scan.ts';
import type { DefenseName, ScanOptions } from '../defenses/types.ts';
import { storedScans, type StoredSeeds } from './results.ts';
import type { Inspector } from './runner.ts';

export interface ScanInspectorSpec {
  readonly defenses: readonly DefenseName[];
  /** Model indices to scan (0 = F0). */
  readonly at: readonly number[];
  /** Serialisable scan options (no signal or callbacks). */
  readonly options: Partial<Omit<ScanOptions, 'signal' | 'onEpoch'>>;
}

/** The inspection's name in `ModelRecord.inspections`, e.g. 'nc' or 'tabor@0.5'. */
export function inspectionName(defense: DefenseName, threshold: number | undefined): string {
  return threshold === undefined || threshold === 0.99 ? defense : `${defense}@${threshold}`;
}

export function scanInspectors(
  spec: ScanInspectorSpec,
): Record<string, { at: readonly number[]; inspect: Inspector }> {
  return Object.fromEntries(
    spec.defenses.map((name) => [
      inspectionName(name, spec.options.threshold),
      {
        at: spec.at,
        inspect: async (model, { cleanTest }) =>
          scanSummary(await getDefense(name).scan(model, cleanTest, spec.options)),
      },
    ]),
  );
}

/** One line per scanned model and inspection: the index of every seed and the flagged count. */
export function inspectionLines(seeds: StoredSeeds): string[] {
  const cells = new Map<string, { index: number[]; flagged: number }>();
  for (const { model, scan, index, flagged } of storedScans(seeds)) {
    const key = `F${model} ${scan}`;
    const cell = cells.get(key) ?? { index: [], flagged: 0 };
    cell.index.push(index);
    if (flagged) cell.flagged++;
    cells.set(key, cell);
  }
  return [...cells].map(
    ([key, { index, flagged }]) =>
      `scan ${key}: anomaly index ${index.map((v) => v.toFixed(2)).join(', ')}; flagged ${flagged}/${index.length}`,
  );
}
