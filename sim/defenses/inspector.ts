/**
 * Scans as experiment-runner inspectors (`permanence run --scan nc,tabor --scan-at 0,1`). The
 * spec is plain data so a seed worker thread can rebuild the inspectors itself. Each model
 * is scanned on clean test images of its own drift step (the defender's data of the day).
 */
import type { Inspector } from '../experiment/runner.ts';
import { getDefense } from './registry.ts';
import { scanSummary } from './scan.ts';
import type { DefenseName, ScanOptions } from './types.ts';

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

/** One line per scanned model and inspection: mean index over seeds and flagged count. */
export function inspectionLines(
  seeds: readonly { models: readonly { index: number; inspections?: Readonly<Record<string, unknown>> }[] }[],
): string[] {
  const cells = new Map<string, { index: number[]; flagged: number }>();
  for (const s of seeds) {
    for (const m of s.models) {
      for (const [name, value] of Object.entries(m.inspections ?? {})) {
        const scan = value as { modelIndex?: unknown; flagged?: unknown };
        if (typeof scan.modelIndex !== 'number') continue;
        const key = `F${m.index} ${name}`;
        const cell = cells.get(key) ?? { index: [], flagged: 0 };
        cell.index.push(scan.modelIndex);
        if (scan.flagged === true) cell.flagged++;
        cells.set(key, cell);
      }
    }
  }
  return [...cells].map(
    ([key, { index, flagged }]) =>
      `scan ${key}: anomaly index ${index.map((v) => v.toFixed(2)).join(', ')}; flagged ${flagged}/${index.length}`,
  );
}
