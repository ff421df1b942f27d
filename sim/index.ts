/**
 * Permanence as a library (`import { runSeed, parseExperimentConfig } from 'permanence'`):
 * the experiment protocol and its parts, the same code `permanence run` drives. Importing
 * this loads tfjs; call loadBackend() once before training or scanning.
 */
export { loadBackend, type BackendInfo, type BackendName } from './backend/loader.ts';
export { speedPath, type SpeedPath } from './backend/speed-path.ts';
export {
  experimentConfigSchema,
  parseExperimentConfig,
  lastPoisonedModel,
  isPoisoned,
  type ExperimentConfig,
  type ExperimentConfigInput,
} from './experiment/config.ts';
export { canonicalJson, configHash } from './experiment/config-hash.ts';
export { runSeed, type SeedResult, type ExperimentEvent, type RunHooks } from './experiment/runner.ts';
export { runSeeds } from './experiment/parallel.ts';
export { aggregate, resultsCsv, type ExperimentResults } from './experiment/results.ts';
export { openRunFolder, readRunConfig, writeAtomic } from './experiment/run-folder.ts';
export { loadDataset, isDatasetName, type DatasetName } from './data/registry.ts';
export {
  ATTACK_KINDS,
  parseAttack,
  parseAttackOrNone,
  formatAttack,
  poisonSet,
  triggeredTestSet,
} from './attacks/index.ts';
export { parseDrift, applyDrift, describeDrift } from './drift/index.ts';
export { survivability, firstBelow, asrArea } from './metrics/survivability.ts';
export { createModel, serializeModel, deserializeModel, type Model, type ModelSpec } from './models/index.ts';
export {
  getDefense,
  parseDefenseList,
  DEFAULT_SCAN_OPTIONS,
  type ScanOptions,
  type ScanResult,
} from './defenses/index.ts';
export { planSweep, type SweepPlan } from './sweep/plan.ts';
export { loadSweepSpec } from './sweep/spec.ts';
export { replay, type ReplayOptions, type ReplayResult } from './replay/engine.ts';
export {
  loadHistory,
  ReplayInputError,
  type HistorySource,
  type ReplayHistory,
  type StoredVersion,
} from './replay/history.ts';
export { parseReplayPolicy, describePolicy, type ReplayPolicy } from './replay/policy.ts';
export { experienceRecordSchema, type ExperienceRecord } from './replay/record.ts';
export { replayReferences, writeReplayFolder, policyTable } from './replay/output.ts';
