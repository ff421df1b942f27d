/**
 * The names the service shares with its dashboards, alert rules and tests: Prometheus
 * metric names and socket.io event names live here and nowhere else.
 *
 * Ground truth versus observable: a real operator cannot measure attack success (it needs
 * the attacker's trigger). Metrics only the simulator can know carry the `permanence_truth_`
 * prefix; every other metric is observable by a defender.
 */
export const METRICS = {
  /** gauge 1, labels {version, backend, model_arch}: build/runtime info. */
  info: 'permanence_info',
  /** gauge 1, labels {model_version, schedule}: the promoted model. */
  modelInfo: 'permanence_model_info',
  /** gauge: clean accuracy of the promoted model on the current drifted test set. */
  cleanAccuracy: 'permanence_clean_accuracy_ratio',
  /** gauge, labels {campaign, attack}: ASR of each known trigger (ground truth). */
  attackSuccess: 'permanence_truth_attack_success_ratio',
  /** gauge, labels {campaign, attack}: gamma-survivability so far, in updates (ground truth). */
  survivability: 'permanence_truth_survivability_updates',
  /** gauge, labels {campaign, attack}: 1 while a campaign still injects poison (ground truth). */
  poisonActive: 'permanence_truth_poison_active',
  /** gauge, label {defense}: anomaly index of the last scan. */
  anomalyIndex: 'permanence_anomaly_index',
  /** gauge, label {defense}: the index a zero-norm trigger would reach in the last scan (<= 2: blind). */
  anomalyIndexCeiling: 'permanence_anomaly_index_ceiling',
  /** gauge, label {defense}: 1 when the last scan flagged the model. */
  backdoorFlagged: 'permanence_backdoor_flagged',
  /** gauge: drift step of the promoted model. */
  driftStep: 'permanence_drift_step',
  /** gauge: the configured cycle interval (alert rules use it to detect a stalled loop). */
  cycleInterval: 'permanence_cycle_interval_seconds',
  /** counter, label {outcome: success|failed|rejected}. */
  cycles: 'permanence_cycles_total',
  /** histogram: wall time of a cycle. */
  cycleDuration: 'permanence_cycle_duration_seconds',
  /** histogram, label {defense}: wall time of a scan. */
  scanDuration: 'permanence_scan_duration_seconds',
  /** counter, labels {defense, outcome: clean|flagged|failed}: scans run. */
  scans: 'permanence_scans_total',
  /** gauge: unix time of the last successful cycle. */
  lastSuccess: 'permanence_last_successful_cycle_timestamp_seconds',
  /** counter: /predict requests answered. */
  predictions: 'permanence_predictions_total',
  /** histogram: /predict latency. */
  predictionDuration: 'permanence_prediction_duration_seconds',
  /** gauge, label {label}: share of the evaluation predictions per class (observable drift of outputs). */
  predictedLabel: 'permanence_predicted_label_ratio',
  /** gauge: 1 while the auto-mitigation policy forces STLR updates. */
  mitigationActive: 'permanence_mitigation_active',
  /** counter, label {action}: decisions of the auto-mitigation policy. */
  policyDecisions: 'permanence_policy_decisions_total',
  /** counter, label {status: firing|resolved}: alerts received from Alertmanager. */
  alertsReceived: 'permanence_alerts_received_total',
  /** counter, label {outcome: succeeded|failed}: counterfactual replay jobs finished. */
  replayJobs: 'permanence_replay_jobs_total',
  /** histogram: wall time of a replay job (from its start, queueing excluded). */
  replayDuration: 'permanence_replay_duration_seconds',
  /** counter, label {kind: pointer|model|operator_state}: damaged registry documents found. */
  registryFaults: 'permanence_registry_faults_total',
  /** gauge: 1 while the registry cannot be written (read-only mount, full disk): serving read-only. */
  registryReadOnly: 'permanence_registry_read_only',
  /** gauge: 1 while the served version is not the one the stored pointer names (a recovery fallback). */
  registryFallback: 'permanence_registry_fallback',
  /** counter: versions removed by the retention policy. */
  versionsRemoved: 'permanence_registry_versions_removed_total',
} as const;

/** Label values of permanence_registry_faults_total. */
export const REGISTRY_FAULT_KINDS = ['pointer', 'model', 'operator_state'] as const;
export type RegistryFaultKind = (typeof REGISTRY_FAULT_KINDS)[number];

/** Label values of permanence_cycles_total. */
export const CYCLE_OUTCOMES = ['success', 'failed', 'rejected'] as const;
export type CycleOutcome = (typeof CYCLE_OUTCOMES)[number];

/** Label values of permanence_replay_jobs_total. */
export const REPLAY_OUTCOMES = ['succeeded', 'failed'] as const;
export type ReplayOutcome = (typeof REPLAY_OUTCOMES)[number];

/** Label values of permanence_policy_decisions_total. */
export const POLICY_ACTIONS = ['force_stlr', 'release', 'extend'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

export const EVENTS = {
  cycleStarted: 'cycle:started',
  cycleProgress: 'cycle:progress',
  cycleFinished: 'cycle:finished',
  cycleFailed: 'cycle:failed',
  modelPromoted: 'model:promoted',
  modelRolledBack: 'model:rolledback',
  /** The served model's evaluation on today's drifted test set (each promotion, rollback, start). */
  modelEvaluated: 'model:evaluated',
  scanFinished: 'scan:finished',
  scanFailed: 'scan:failed',
  poisonInjected: 'poison:injected',
  poisonStopped: 'poison:stopped',
  /** A finished campaign dropped to make room for a new one (its series are removed). */
  poisonForgotten: 'poison:forgotten',
  /** A campaign the cycle could not apply (its poison does not fit the batch): it stops, alone. */
  poisonFailed: 'poison:failed',
  scheduleChanged: 'schedule:changed',
  policyDecision: 'policy:decision',
  alertReceived: 'alert:received',
  /** A replay job was accepted (POST /admin/replay). */
  replayQueued: 'replay:queued',
  /** One more version of a replay job re-run. */
  replayProgress: 'replay:progress',
  replayFinished: 'replay:finished',
  replayFailed: 'replay:failed',
  /** A damaged or missing registry document found (and what the service did about it). */
  registryFault: 'registry:fault',
  /** The registry health changed: writable or not, serving the pointer's version or a fallback. */
  registryHealth: 'registry:health',
  /** Versions removed by the retention policy. */
  registryPruned: 'registry:pruned',
  state: 'state',
} as const;
