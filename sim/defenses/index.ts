export type {
  Defense,
  DefenseName,
  ExtraLoss,
  ExtraLossContext,
  LabelScan,
  LabelTrigger,
  ScanOptions,
  ScanResult,
} from './types.ts';
export { ANOMALY_THRESHOLD, anomalyIndex, median, type AnomalyReport } from './anomaly.ts';
export {
  NC_COST_DEFAULTS,
  initialCostState,
  stepCost,
  type CostScheduleOptions,
  type CostState,
} from './cost-schedule.ts';
export { TABOR_DEFAULT_WEIGHTS, type TaborWeights } from './regularisers.ts';
export { DEFAULT_SCAN_OPTIONS, resolveScanOptions, scanSummary } from './scan.ts';
export { ScanAbortedError, reverseEngineer } from './reverse-engineer.ts';
export { neuralCleanse } from './neural-cleanse.ts';
export { triggerGridPng } from './render.ts';
export { createTabor, tabor, taborLoss } from './tabor.ts';
export { DEFENSES, DEFENSE_NAMES, getDefense, parseDefenseList } from './registry.ts';
