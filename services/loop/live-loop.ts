/**
 * The live update loop (SPEC 8). One cycle = one drift step: fine-tune the promoted model
 * in the worker on the next drifted batch (plus any active poison), evaluate it, save it in
 * the registry, promote it unless it diverged, hot-swap it into /predict, scan it on its
 * cadence, then publish metrics and events. Failures leave the served model untouched.
 */
import { MODEL_FILE } from '../../sim/models/version-layout.ts';
import type { StepTraining } from '../../sim/stream/update-step.ts';
import { parseSchedule } from '../../sim/train/schedules.ts';
import type { ServiceConfig } from '../config.ts';
import { EVENTS } from '../contract.ts';
import type { EventBus } from '../events.ts';
import type { Logger } from '../log.ts';
import type { ServiceMetrics } from '../metrics/index.ts';
import type { Predictor } from '../predict/predictor.ts';
import type { Manifest, ModelStore, Pointer } from '../registry/model-store.ts';
import type { TrainerClient } from '../worker/trainer-client.ts';
import type { Evaluation, KnownTrigger, ModelResult, ScanSummary } from '../worker/protocol.ts';
import type { Campaign, CampaignInput, Campaigns } from './campaigns.ts';
import { resumeOperatorState, type OperatorState } from './operator-state.ts';
import type { MitigationPolicy } from './policy.ts';

export type Phase = 'starting' | 'training-f0' | 'idle' | 'training' | 'saving' | 'scanning' | 'stopped';
export type CycleOutcome = 'success' | 'failed' | 'rejected';

export interface CycleReport {
  outcome: CycleOutcome;
  step: number;
  schedule: string;
  version?: number;
  seconds: number;
  poisoned: string[];
  evaluation?: Evaluation;
  train?: ModelResult['train'];
  baseAccuracy?: number | null;
  error?: string;
  finishedAt: string;
}

export interface LoopDeps {
  config: ServiceConfig;
  store: ModelStore;
  trainer: TrainerClient;
  predictor: Predictor;
  metrics: ServiceMetrics;
  events: EventBus;
  log: Logger;
  campaigns: Campaigns;
  policy: MitigationPolicy;
}

export class BusyError extends Error {}
export class NotReadyError extends Error {}

export class LiveLoop {
  private phase: Phase = 'starting';
  private ready = false;
  private stopped = false;
  private paused: boolean;
  private operatorSchedule: string;
  private step = 0;
  private pointer: Pointer | undefined;
  private servedBytes: Uint8Array | undefined;
  private servedManifest: Manifest | undefined;
  private busy: Promise<unknown> | undefined;
  private progress: { step: number; totalSteps: number; loss: number; lr: number } | undefined;
  private lastCycle: CycleReport | undefined;
  private lastEvaluation: Evaluation | undefined;
  private lastScan: ScanSummary | undefined;
  private promotedUpdates = 0;
  private bootError: string | undefined;
  /** False until the previous run's operator state is read; operator changes wait for it. */
  private operatorStateLoaded = false;
  /** Operator-state writes, chained so that they land in order. */
  private persisting: Promise<void> = Promise.resolve();

  constructor(private readonly d: LoopDeps) {
    this.paused = !d.config.CYCLES_ENABLED;
    this.operatorSchedule = d.config.SCHEDULE;
  }

  get name(): string {
    return this.d.config.MODEL_NAME;
  }

  isReady(): boolean {
    return this.ready && !this.stopped;
  }

  /**
   * Loads the promoted version (checksums verified) or, on a first start, trains F0 and
   * promotes it. Retries registry errors until it succeeds or the service stops.
   */
  async bootstrap(): Promise<void> {
    const { log } = this.d;
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.d.store.init();
        if (!this.operatorStateLoaded) await this.restoreOperatorState();
        await this.d.trainer.start();
        await this.loadOrCreateInitial();
        this.bootError = undefined;
        break;
      } catch (err) {
        this.bootError = (err as Error).message;
        log.error({ err, attempt }, 'start-up failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(10_000, 1000 * attempt)));
      }
    }
    if (this.stopped) return;
    const evaluation = await this.d.trainer.evaluate(this.servedBytes!, this.step, this.knownTriggers());
    this.applyEvaluation(evaluation);
    this.ready = true;
    this.phase = 'idle';
    this.publishState();
    log.info({ version: this.pointer?.version, step: this.step }, 'serving');
  }

  private async loadOrCreateInitial(): Promise<void> {
    const { store, log } = this.d;
    let pointer = await store.getPromoted(this.name);
    if (!pointer) {
      // A crash between saving a version and writing the pointer: promote what was saved.
      const saved = (await store.listVersions(this.name)).filter((m) => m.status === 'candidate').at(-1);
      if (saved) {
        pointer = await store.promote(this.name, saved.version, saved.step, 'initial');
      } else {
        this.phase = 'training-f0';
        this.publishState();
        const c = this.d.config;
        log.info({ epochs: c.F0_EPOCHS, schedule: c.F0_SCHEDULE }, 'no promoted model: training F0 on D0');
        // F0 is experience 0 of the stream: campaigns already injecting (restored from the
        // operator state) poison D0, as the offline runner's D0 injection does.
        const carried = this.d.campaigns.injecting();
        const f0 = await this.d.trainer.trainInitial(
          {
            training: training(c.F0_EPOCHS, c.F0_BATCH_SIZE, c.F0_SCHEDULE),
            poison: carried.map((x) => ({ ...triggerOf(x), ratio: x.ratio })),
            triggers: this.knownTriggers(),
          },
          (p) => this.onProgress(p),
        );
        const manifest = await store.saveVersion(this.name, {
          step: 0,
          parentVersion: null,
          schedule: c.F0_SCHEDULE,
          status: 'candidate',
          files: { [MODEL_FILE]: f0.model },
          metrics: { train: f0.train, evaluation: f0.evaluation, kind: 'F0' },
        });
        pointer = await store.promote(this.name, manifest.version, 0, 'initial');
        this.d.campaigns.recordPromoted(
          0,
          manifest.version,
          carried.map((x) => x.id),
          f0.evaluation.asr,
        );
        await this.persist();
      }
    }
    const loaded = await store.loadVersion(this.name, pointer.version);
    this.serve(pointer, loaded.manifest, loaded.files[MODEL_FILE]);
    this.step = pointer.step;
  }

  /** Resumes the schedule, pause, campaigns and policy saved by the previous run. */
  private async restoreOperatorState(): Promise<void> {
    const { config: c, store, campaigns, policy, metrics, log } = this.d;
    const resumed = resumeOperatorState(await store.loadOperatorState(this.name), {
      schedule: c.SCHEDULE,
      cyclesEnabled: c.CYCLES_ENABLED,
    });
    this.operatorSchedule = resumed.schedule;
    this.paused = resumed.paused;
    campaigns.restore(resumed.campaigns);
    policy.restore(resumed.policy);
    metrics.policy.mitigationActive.set(policy.active ? 1 : 0);
    for (const note of resumed.notes) log.info(note);
    this.operatorStateLoaded = true;
  }

  /** Operator changes before the stored state is read would be overwritten by it: refuse them. */
  private requireOperatorState(): void {
    if (!this.operatorStateLoaded)
      throw new NotReadyError('starting: the operator state is not loaded yet (registry unreachable?)');
  }

  /**
   * Saves the operator state; resolves once written. A failed write is logged, not thrown:
   * the change holds in memory and the next write (which carries the whole state) retries.
   */
  private persist(): Promise<void> {
    const { config: c, store, campaigns, policy, log } = this.d;
    const state: OperatorState = {
      format: 1,
      savedAt: new Date().toISOString(),
      schedule: this.operatorSchedule,
      paused: this.paused,
      configured: { schedule: c.SCHEDULE, cyclesEnabled: c.CYCLES_ENABLED },
      campaigns: structuredClone(campaigns.list()),
      policy: policy.snapshot(),
    };
    this.persisting = this.persisting
      .then(() => store.saveOperatorState(this.name, state))
      .catch((err: Error) =>
        log.error({ err }, 'saving the operator state failed; will retry on the next change'),
      );
    return this.persisting;
  }

  private serve(pointer: Pointer, manifest: Manifest, bytes: Uint8Array): void {
    this.d.predictor.swap(bytes, manifest.version);
    this.pointer = pointer;
    this.servedManifest = manifest;
    this.servedBytes = bytes;
    this.d.metrics.model.setPromoted(manifest.version, manifest.schedule, pointer.step);
  }

  /** Runs one cycle unless one is running; `cron` ticks also skip while paused. */
  async runCycle(reason: 'cron' | 'admin'): Promise<CycleReport | { skipped: string }> {
    if (!this.isReady()) return { skipped: 'not ready' };
    if (reason === 'cron' && this.paused) return { skipped: 'paused' };
    if (this.busy) return { skipped: 'busy' };
    const run = this.cycle();
    this.busy = run;
    try {
      return await run;
    } finally {
      this.busy = undefined;
    }
  }

  /** Starts a cycle without waiting for it (for the admin API). */
  startCycle(): { accepted: boolean; reason?: string } {
    if (!this.isReady()) return { accepted: false, reason: 'not ready' };
    if (this.busy) return { accepted: false, reason: 'busy' };
    void this.runCycle('admin');
    return { accepted: true };
  }

  private async cycle(): Promise<CycleReport> {
    const { config: c, metrics, events, log, campaigns, policy } = this.d;
    const started = performance.now();
    const step = this.step + 1;
    const schedule = policy.schedule(this.operatorSchedule);
    const carried = campaigns.injecting();
    const base = this.servedManifest!;
    const seconds = () => (performance.now() - started) / 1000;
    this.phase = 'training';
    events.publish(EVENTS.cycleStarted, {
      step,
      schedule,
      baseVersion: base.version,
      poison: carried.map((x) => x.id),
    });
    let report: CycleReport;
    try {
      const result = await this.d.trainer.update(
        {
          base: this.servedBytes!.slice(),
          step,
          training: training(c.UPDATE_EPOCHS, c.UPDATE_BATCH_SIZE, schedule),
          poison: carried.map((x) => ({ ...triggerOf(x), ratio: x.ratio })),
          triggers: this.knownTriggers(),
        },
        (p) => this.onProgress(p),
      );
      const diverged = isDiverged(result, c.DIVERGENCE_ACCURACY_DROP);
      this.phase = 'saving';
      const manifest = await this.d.store.saveVersion(this.name, {
        step,
        parentVersion: base.version,
        schedule,
        status: diverged ? 'rejected' : 'candidate',
        files: { [MODEL_FILE]: result.model },
        metrics: {
          train: result.train,
          evaluation: result.evaluation,
          baseAccuracy: result.baseAccuracy,
          poison: carried.map((x) => ({
            campaign: x.id,
            attack: x.trigger.kind,
            ratio: x.ratio,
            target: x.target,
          })),
        },
      });
      report = {
        outcome: diverged ? 'rejected' : 'success',
        step,
        schedule,
        version: manifest.version,
        seconds: 0,
        poisoned: carried.map((x) => x.id),
        evaluation: result.evaluation,
        train: result.train,
        baseAccuracy: result.baseAccuracy,
        finishedAt: '',
      };
      if (!diverged) {
        const pointer = await this.d.store.promote(this.name, manifest.version, step, 'cycle');
        this.serve(pointer, manifest, result.model);
        this.step = step;
        campaigns.recordPromoted(step, manifest.version, report.poisoned, result.evaluation.asr);
        this.applyEvaluation(result.evaluation);
        this.promotedUpdates++;
        const decision = policy.onUpdatePromoted();
        if (decision) this.publishDecision(decision);
        await this.persist();
        events.publish(EVENTS.modelPromoted, { version: manifest.version, step, schedule, reason: 'cycle' });
      } else {
        log.warn(
          { version: manifest.version, train: result.train, baseAccuracy: result.baseAccuracy },
          'update diverged: kept, not promoted',
        );
      }
    } catch (err) {
      report = {
        outcome: 'failed',
        step,
        schedule,
        seconds: 0,
        poisoned: carried.map((x) => x.id),
        error: (err as Error).message,
        finishedAt: '',
      };
      log.error({ err, step }, 'cycle failed; the served model is unchanged');
    }
    report.seconds = seconds();
    report.finishedAt = new Date().toISOString();
    this.lastCycle = report;
    this.progress = undefined;
    metrics.cycle.record(report.outcome, report.seconds);
    events.publish(report.outcome === 'failed' ? EVENTS.cycleFailed : EVENTS.cycleFinished, report);
    this.phase = 'idle';
    if (report.outcome === 'success' && c.SCAN_EVERY > 0 && this.promotedUpdates % c.SCAN_EVERY === 0) {
      await this.scanNow().catch((err: Error) => this.logUnlessStopping(err, 'scheduled scan failed'));
    }
    this.publishState();
    return report;
  }

  private onProgress(p: { step: number; totalSteps: number; loss: number; lr: number; epoch: number }): void {
    this.progress = { step: p.step, totalSteps: p.totalSteps, loss: p.loss, lr: p.lr };
    this.d.events.publish(EVENTS.cycleProgress, { phase: this.phase, driftStep: this.step + 1, ...p });
  }

  private applyEvaluation(e: Evaluation): void {
    const { metrics, campaigns } = this.d;
    this.lastEvaluation = e;
    metrics.model.setEvaluation(e.cleanAccuracy, e.labelShares);
    for (const x of campaigns.list()) {
      const labels = { campaign: x.id, attack: x.trigger.kind };
      if (e.asr[x.id] !== undefined) metrics.attack.attackSuccess.set(labels, e.asr[x.id]);
      metrics.attack.survivability.set(labels, x.survivability);
      metrics.attack.poisonActive.set(labels, x.status === 'pending' || x.status === 'active' ? 1 : 0);
    }
  }

  private knownTriggers(): KnownTrigger[] {
    return this.d.campaigns.list().map(triggerOf);
  }

  /** Runs a backdoor scan of the served model now (waits for it). */
  async scanNow(): Promise<ScanSummary> {
    if (!this.isReady()) throw new NotReadyError('no model is served yet');
    const { metrics, events, policy, config } = this.d;
    const previous = this.phase;
    this.phase = 'scanning';
    const version = this.servedManifest?.version;
    try {
      let scan: ScanSummary;
      try {
        scan = await this.d.trainer.scan(this.servedBytes!, this.step);
      } catch (err) {
        if (!this.stopped) {
          metrics.scan.scans.inc({ defense: config.SCAN_DEFENSE, outcome: 'failed' });
          events.publish(EVENTS.scanFailed, {
            defense: config.SCAN_DEFENSE,
            version,
            step: this.step,
            error: (err as Error).message,
          });
        }
        throw err;
      }
      this.lastScan = scan;
      metrics.scan.scans.inc({ defense: scan.defense, outcome: scan.flagged ? 'flagged' : 'clean' });
      metrics.scan.anomalyIndex.set({ defense: scan.defense }, scan.anomalyIndex);
      metrics.scan.anomalyIndexCeiling.set({ defense: scan.defense }, scan.indexCeiling);
      metrics.scan.backdoorFlagged.set({ defense: scan.defense }, scan.flagged ? 1 : 0);
      metrics.scan.scanDuration.observe({ defense: scan.defense }, scan.seconds);
      events.publish(EVENTS.scanFinished, { ...scan, version, step: this.step });
      const decision = policy.onScan(scan.flagged, scan.defense, scan.anomalyIndex);
      if (decision) {
        this.publishDecision(decision);
        await this.persist();
      }
      return scan;
    } finally {
      this.phase = previous === 'scanning' ? 'idle' : previous;
    }
  }

  /** Starts a scan without waiting; refused while a cycle or scan runs. */
  startScan(): { accepted: boolean; reason?: string } {
    if (!this.isReady()) return { accepted: false, reason: 'not ready' };
    if (this.busy) return { accepted: false, reason: 'busy' };
    const run = this.scanNow().catch((err: Error) => this.logUnlessStopping(err, 'scan failed'));
    this.busy = run;
    void run.finally(() => (this.busy = undefined));
    return { accepted: true };
  }

  /** Work cut short by stop() (the worker is terminated) is expected, not an error. */
  private logUnlessStopping(err: Error, msg: string): void {
    if (this.stopped) this.d.log.debug({ err }, `${msg} (service stopping)`);
    else this.d.log.error({ err }, msg);
  }

  private publishDecision(decision: ReturnType<MitigationPolicy['history']>[number]): void {
    const { metrics, events, log, policy } = this.d;
    metrics.policy.policyDecisions.inc({ action: decision.action });
    metrics.policy.mitigationActive.set(policy.active ? 1 : 0);
    log.info({ decision }, 'auto-mitigation decision');
    events.publish(EVENTS.policyDecision, decision);
  }

  /** Promotes an earlier version (checksums verified); the drift step does not move back. */
  async rollback(version: number): Promise<Pointer> {
    if (!this.isReady()) throw new NotReadyError('no model is served yet');
    if (this.busy) throw new BusyError('a cycle or scan is running');
    const run = (async () => {
      const loaded = await this.d.store.loadVersion(this.name, version);
      if (loaded.manifest.status === 'rejected') throw new RejectedVersionError(`v${version} was rejected`);
      const pointer = await this.d.store.promote(this.name, version, this.step, 'rollback');
      this.serve(pointer, loaded.manifest, loaded.files[MODEL_FILE]);
      this.applyEvaluation(
        await this.d.trainer.evaluate(loaded.files[MODEL_FILE], this.step, this.knownTriggers()),
      );
      this.d.events.publish(EVENTS.modelRolledBack, { version, step: this.step });
      this.publishState();
      return pointer;
    })();
    this.busy = run;
    try {
      return await run;
    } finally {
      this.busy = undefined;
    }
  }

  /** Creates a poison campaign; resolves once the operator state holding it is saved. */
  async createCampaign(input: CampaignInput): Promise<Campaign> {
    this.requireOperatorState();
    const { campaign, evicted } = this.d.campaigns.create(input);
    if (evicted) this.d.metrics.attack.forget(evicted.id, evicted.trigger.kind);
    this.d.metrics.attack.poisonActive.set({ campaign: campaign.id, attack: campaign.trigger.kind }, 1);
    this.d.events.publish(EVENTS.poisonInjected, campaign);
    await this.persist();
    return campaign;
  }

  async stopCampaign(id: string): Promise<Campaign | undefined> {
    this.requireOperatorState();
    const campaign = this.d.campaigns.get(id);
    if (!campaign) return undefined;
    if (this.d.campaigns.stop(id)) {
      this.d.metrics.attack.poisonActive.set({ campaign: id, attack: campaign.trigger.kind }, 0);
      this.d.events.publish(EVENTS.poisonStopped, campaign);
      await this.persist();
    }
    return campaign;
  }

  async setSchedule(schedule: string): Promise<void> {
    this.requireOperatorState();
    this.operatorSchedule = schedule;
    this.d.events.publish(EVENTS.scheduleChanged, { schedule, effective: this.d.policy.schedule(schedule) });
    this.d.log.info({ schedule }, 'update schedule changed');
    await this.persist();
  }

  async setPaused(paused: boolean): Promise<void> {
    this.requireOperatorState();
    this.paused = paused;
    this.publishState();
    await this.persist();
  }

  async listModels(): Promise<Manifest[]> {
    return this.d.store.listVersions(this.name);
  }

  /** The drift step, for tests and the demo. */
  currentStep(): number {
    return this.step;
  }

  state() {
    const { config: c, policy, campaigns } = this.d;
    return {
      ready: this.isReady(),
      phase: this.phase,
      paused: this.paused,
      bootError: this.bootError ?? null,
      step: this.step,
      model: this.pointer ? { ...this.pointer, schedule: this.servedManifest?.schedule } : null,
      schedule: { operator: this.operatorSchedule, effective: policy.schedule(this.operatorSchedule) },
      progress: this.progress ?? null,
      lastCycle: this.lastCycle ? { ...this.lastCycle } : null,
      evaluation: this.lastEvaluation ?? null,
      scan: this.lastScan ?? null,
      campaigns: campaigns.list(),
      policy: { enabled: policy.enabled, active: policy.active, decisions: policy.history() },
      config: {
        cycleCron: c.cycleCron,
        cycleIntervalSeconds: c.cycleIntervalSeconds,
        registry: c.REGISTRY,
        poolSubset: c.POOL_SUBSET,
        updateEpochs: c.UPDATE_EPOCHS,
        updateBatchSize: c.UPDATE_BATCH_SIZE,
        scanEvery: c.SCAN_EVERY,
        drift: c.DRIFT,
        dataset: c.DATASET,
        arch: c.MODEL_ARCH,
      },
    };
  }

  private publishState(): void {
    this.d.events.publish(EVENTS.state, this.state());
  }

  /** Stops accepting work and waits (bounded) for a registry write in flight. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopped = true;
    this.phase = 'stopped';
    const running = this.busy;
    await this.d.trainer.close();
    const pending = Promise.all([running?.catch(() => undefined), this.persisting]);
    await Promise.race([pending, new Promise((r) => setTimeout(r, timeoutMs))]);
  }
}

export class RejectedVersionError extends Error {}

function training(epochs: number, batchSize: number, schedule: string): StepTraining {
  return { epochs, batchSize, schedule: parseSchedule(schedule) };
}

function triggerOf(c: Campaign): KnownTrigger {
  return { campaign: c.id, trigger: c.trigger, target: c.target, seed: c.seed };
}

/** NaN/infinite loss, or clean accuracy falling by more than `maxDrop` below the base model's. */
export function isDiverged(result: ModelResult, maxDrop: number): boolean {
  if (result.train.diverged || !Number.isFinite(result.train.loss)) return true;
  const acc = result.evaluation.cleanAccuracy;
  if (!Number.isFinite(acc)) return true;
  return result.baseAccuracy !== null && result.baseAccuracy - acc > maxDrop;
}
