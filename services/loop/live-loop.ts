/**
 * The live update loop (docs/service.md): the paper's protocol run one experience per tick.
 * A cycle fine-tunes the served model on the next drifted experience (plus any campaign's
 * poison), saves it, promotes it unless it diverged, hot-swaps it into /predict and scans it
 * on its cadence. Failures leave the served model untouched. The loop only emits events
 * (loop-events.ts); metrics, socket.io and logs listen.
 */
import { getAttack, resolveAttack, seededAttack } from '../../sim/attacks/index.ts';
import type { ImageShape } from '../../sim/data/image-set.ts';
import { EXPERIENCE_FILE, MODEL_FILE } from '../../sim/models/version-layout.ts';
import { encodeRecord } from '../../sim/replay/record.ts';
import type { ServiceConfig } from '../config.ts';
import { EVENTS } from '../contract.ts';
import type { LoopBus } from '../events.ts';
import type { Logger } from '../log.ts';
import { resolveVersion } from '../registry/aliases.ts';
import {
  ChecksumError,
  CorruptFileError,
  type LoadedVersion,
  type ModelStore,
  type Pointer,
  type VersionPage,
} from '../registry/model-store.ts';
import { recoverServed } from '../registry/recovery.ts';
import { pruneVersions, type ReferencedVersions } from '../registry/retention.ts';
import { appendScan } from '../registry/scans.ts';
import { POISON_SOURCE_ERROR } from '../../sim/stream/update-step.ts';
import { admissionProblem, classShareBound } from './admission.ts';
import type { Evaluation, KnownTrigger, ScanSummary, Trainer } from '../worker/protocol.ts';
import { isInjecting, type Campaign, type CampaignInput, type Campaigns } from './campaigns.ts';
import { knownTrigger, poisonOrder, runUpdateCycle, stepTraining } from './cycle.ts';
import {
  AdmissionError,
  BusyError,
  CorruptVersionError,
  InvalidCampaignError,
  NotReadyError,
  RejectedVersionError,
} from './errors.ts';
import { replayMissedInjections } from './reconcile.ts';
import { RegistryGuard } from './registry-guard.ts';
import type { RegistryHealthView } from './registry-health.ts';
import { Exclusive } from './exclusive.ts';
import { codeVersion, experienceRecord, type RecordContext } from './experience-recorder.ts';
import type { CycleReport } from './loop-events.ts';
import { stateConfig, type LoopState, type Phase } from './loop-state.ts';
import { OperatorStore } from './operator-store.ts';
import type { MitigationPolicy, PolicyDecision } from './policy.ts';
import type { LoopControl } from './loop-control.ts';
import { ServedModel, type ModelSink } from './served-model.ts';

export { BusyError, NotReadyError, RejectedVersionError } from './errors.ts';
export { isDiverged } from './cycle.ts';
export type { CycleReport } from './loop-events.ts';
export type { Phase } from './loop-state.ts';
export type { LoopControl } from './loop-control.ts';

export interface LoopDeps {
  config: ServiceConfig;
  store: ModelStore;
  trainer: Trainer;
  predictor: ModelSink;
  events: LoopBus;
  log: Logger;
  campaigns: Campaigns;
  policy: MitigationPolicy;
  /**
   * Versions that other parts of the service refer to (e.g. a replay's record), kept by the
   * retention policy besides the promoted, pointer-history and campaign versions.
   */
  retentionRefs?: readonly ReferencedVersions[];
}

export class LiveLoop implements LoopControl {
  private phase: Phase = 'starting';
  private ready = false;
  private stopped = false;
  private step = 0;
  private readonly served: ServedModel;
  private readonly operator: OperatorStore;
  private readonly exclusive = new Exclusive();
  private progress: LoopState['progress'] = null;
  private lastCycle: CycleReport | undefined;
  private lastEvaluation: Evaluation | undefined;
  private lastScan: ScanSummary | undefined;
  private promotedUpdates = 0;
  private bootError: string | undefined;
  /** The images' shape, once the trainer has loaded the data (campaign triggers must fit it). */
  private shape: ImageShape | undefined;
  /** The record context, once the trainer has reported its backend. */
  private recording: RecordContext | undefined;
  private readonly code = codeVersion();
  private numClasses = 10;
  /** Writability, damaged documents found, the pointer check (registry-guard.ts). */
  private readonly guard: RegistryGuard;

  constructor(private readonly d: LoopDeps) {
    this.served = new ServedModel(d.predictor);
    this.guard = new RegistryGuard({
      store: d.store,
      name: d.config.MODEL_NAME,
      events: d.events,
      log: d.log,
    });
    this.operator = new OperatorStore({
      store: d.store,
      name: d.config.MODEL_NAME,
      configured: { schedule: d.config.SCHEDULE, cyclesEnabled: d.config.CYCLES_ENABLED },
      campaigns: d.campaigns,
      policy: d.policy,
      log: d.log,
    });
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
        await this.guard.checkWritable();
        if (!this.operator.isLoaded) {
          const damage = await this.operator.restore();
          if (damage) this.guard.fault('operator_state', damage, 'started from the configuration');
        }
        const { height, width, channels, numClasses, backend } = await this.d.trainer.start();
        this.shape = { height, width, channels };
        this.numClasses = numClasses;
        this.recording = { config: this.d.config, backend, code: this.code };
        await this.loadOrCreateInitial();
        await this.reconcileCampaigns();
        this.bootError = undefined;
        break;
      } catch (err) {
        this.bootError = (err as Error).message;
        log.error({ err, attempt }, 'start-up failed; retrying');
        await new Promise((r) => setTimeout(r, Math.min(10_000, 1000 * attempt)));
      }
    }
    if (this.stopped) return;
    const served = this.served.get();
    this.applyEvaluation(await this.d.trainer.evaluate(served.bytes, this.step, this.knownTriggers()));
    this.ready = true;
    this.phase = 'idle';
    this.publishState();
    log.info({ version: served.manifest.version, step: this.step }, 'serving');
  }

  /**
   * Serves the stored pointer's version, or the last one that verifies (registry/recovery.ts),
   * re-writing the pointer when it was lost or damaged; trains F0 when nothing verifies.
   */
  private async loadOrCreateInitial(): Promise<void> {
    const { store } = this.d;
    const recovery = await recoverServed(store, this.name);
    const served = recovery.served;
    for (const f of recovery.found)
      this.guard.fault(
        f.kind,
        f.detail,
        served ? `serving v${served.pointer.version}` : 'nothing verifies: training F0',
      );
    let pointer: Pointer;
    let loaded: LoadedVersion;
    if (!served) {
      pointer = await this.trainInitial();
      loaded = await store.loadVersion(this.name, pointer.version);
    } else {
      ({ pointer, loaded } = served);
      if (recovery.rewrite && this.guard.health.writable) {
        // A crash between saving a version and writing the first pointer: promote what was saved.
        const reason = recovery.neverPromoted ? 'initial' : 'recovered';
        pointer = await store.promote(this.name, pointer.version, pointer.step, reason);
      }
      this.guard.health.setFallback(recovery.found.length > 0);
    }
    this.served.serve(pointer, loaded.manifest, loaded.files[MODEL_FILE]);
    this.step = pointer.step;
    this.guard.publishHealth();
  }

  /** Records injections the operator state missed (reconcile.ts) and saves them. */
  private async reconcileCampaigns(): Promise<void> {
    const { store, campaigns, log } = this.d;
    const version = this.served.get().manifest.version;
    const replayed = await replayMissedInjections(store, this.name, version, campaigns);
    if (replayed === 0) return;
    log.warn(
      { versions: replayed },
      'campaign injections replayed from the registry (operator state was behind)',
    );
    await this.operator.persist();
  }

  /**
   * F0 is experience 0 of the stream: campaigns already injecting (restored from the
   * operator state) poison D0, as the offline runner's D0 injection does.
   */
  private async trainInitial(): Promise<Pointer> {
    const { store, config: c, campaigns } = this.d;
    this.phase = 'training-f0';
    this.publishState();
    this.d.log.info({ epochs: c.F0_EPOCHS, schedule: c.F0_SCHEDULE }, 'no promoted model: training F0 on D0');
    const carried = campaigns.injecting();
    const poison = carried.map(poisonOrder);
    const triggers = this.knownTriggers();
    const record = experienceRecord(this.recordContext(), {
      kind: 'initial',
      parentVersion: null,
      step: 0,
      epochs: c.F0_EPOCHS,
      batchSize: c.F0_BATCH_SIZE,
      schedule: c.F0_SCHEDULE,
      poison,
      triggers,
    });
    const f0 = await this.d.trainer.trainInitial(
      { training: stepTraining(c.F0_EPOCHS, c.F0_BATCH_SIZE, c.F0_SCHEDULE), poison, triggers },
      (p) => this.onProgress(p),
    );
    const manifest = await store.saveVersion(this.name, {
      step: 0,
      parentVersion: null,
      schedule: c.F0_SCHEDULE,
      status: 'candidate',
      files: { [MODEL_FILE]: f0.model, [EXPERIENCE_FILE]: encodeRecord(record) },
      metrics: {
        train: f0.train,
        evaluation: f0.evaluation,
        kind: 'F0',
        poison: carried.map((x) => ({
          campaign: x.id,
          attack: x.trigger.kind,
          ratio: x.ratio,
          target: x.target,
        })),
      },
    });
    const pointer = await store.promote(this.name, manifest.version, 0, 'initial');
    const ids = carried.map((x) => x.id);
    campaigns.recordPromoted(0, manifest.version, ids, f0.evaluation.asr);
    for (const x of carried) this.d.events.publish(EVENTS.poisonInjected, x);
    if (carried.length > 0) await this.operator.persist();
    return pointer;
  }

  private recordContext(): RecordContext {
    if (!this.recording) throw new NotReadyError('the trainer has not started');
    return this.recording;
  }

  /** Runs one cycle unless one is running; `cron` ticks also skip while paused. */
  async runCycle(reason: 'cron' | 'admin'): Promise<CycleReport | { skipped: string }> {
    if (!this.isReady()) return { skipped: 'not ready' };
    if (reason === 'cron' && this.operator.paused) return { skipped: 'paused' };
    if (this.exclusive.busy) return { skipped: 'busy' };
    if (!this.guard.health.writable && !(await this.guard.checkWritable())) return { skipped: 'read-only' };
    return this.exclusive.run(() => this.cycle());
  }

  /** Starts a cycle without waiting for it (for the admin API). */
  startCycle(): { accepted: boolean; reason?: string } {
    if (!this.isReady()) return { accepted: false, reason: 'not ready' };
    if (this.exclusive.busy) return { accepted: false, reason: 'busy' };
    if (!this.guard.health.writable) return { accepted: false, reason: 'read-only' };
    void this.runCycle('admin');
    return { accepted: true };
  }

  private async cycle(): Promise<CycleReport> {
    const { config: c, events, campaigns, policy } = this.d;
    const started = performance.now();
    const step = this.step + 1;
    const schedule = policy.schedule(this.operator.schedule);
    const carried = campaigns.injecting();
    const poisoned = carried.map((x) => x.id);
    const base = this.served.get();
    this.phase = 'training';
    events.publish(EVENTS.cycleStarted, {
      step,
      schedule,
      baseVersion: base.manifest.version,
      poison: poisoned,
    });
    let report: Omit<CycleReport, 'seconds' | 'finishedAt'>;
    try {
      await this.guard.checkPointer(this.served.get(), this.step);
      const { result, manifest, pointer } = await runUpdateCycle(
        {
          name: this.name,
          trainer: this.d.trainer,
          store: this.d.store,
          epochs: c.UPDATE_EPOCHS,
          batchSize: c.UPDATE_BATCH_SIZE,
          maxAccuracyDrop: c.DIVERGENCE_ACCURACY_DROP,
          onProgress: (p) => this.onProgress(p),
          onSaving: () => (this.phase = 'saving'),
          recording: this.recordContext(),
        },
        { step, schedule, base, carried, triggers: this.knownTriggers() },
      );
      report = {
        outcome: pointer ? 'success' : 'rejected',
        step,
        schedule,
        version: manifest.version,
        poisoned,
        evaluation: result.evaluation,
        train: result.train,
        baseAccuracy: result.baseAccuracy,
      };
      if (pointer) {
        this.served.serve(pointer, manifest, result.model);
        this.step = step;
        campaigns.recordPromoted(step, manifest.version, poisoned, result.evaluation.asr);
        this.applyEvaluation(result.evaluation);
        this.promotedUpdates++;
        const decision = policy.onUpdatePromoted();
        if (decision) this.publishDecision(decision);
        await this.operator.persist();
        if (this.guard.health.setFallback(false)) this.guard.publishHealth();
        events.publish(EVENTS.modelPromoted, { version: manifest.version, step, schedule, reason: 'cycle' });
        await this.prune();
      }
    } catch (err) {
      report = { outcome: 'failed', step, schedule, poisoned, error: (err as Error).message };
      await this.onCycleError(err);
    }
    const done: CycleReport = {
      ...report,
      seconds: (performance.now() - started) / 1000,
      finishedAt: new Date().toISOString(),
    };
    this.lastCycle = done;
    this.progress = null;
    events.publish(done.outcome === 'failed' ? EVENTS.cycleFailed : EVENTS.cycleFinished, done);
    this.phase = 'idle';
    if (done.outcome === 'success' && c.SCAN_EVERY > 0 && this.promotedUpdates % c.SCAN_EVERY === 0) {
      // A failed scan is reported by its scan:failed event.
      await this.scanServed().catch(() => undefined);
    }
    this.publishState();
    return done;
  }

  private onProgress(p: { step: number; totalSteps: number; loss: number; lr: number; epoch: number }): void {
    this.progress = { step: p.step, totalSteps: p.totalSteps, loss: p.loss, lr: p.lr };
    const { step, totalSteps, epoch, loss, lr } = p;
    this.d.events.publish(EVENTS.cycleProgress, {
      phase: this.phase,
      driftStep: this.step + 1,
      step,
      totalSteps,
      epoch,
      loss,
      lr,
    });
  }

  private applyEvaluation(evaluation: Evaluation): void {
    this.lastEvaluation = evaluation;
    const campaigns = this.d.campaigns.list().map((c) => ({
      id: c.id,
      attack: c.trigger.kind,
      survivability: c.survivability,
      injecting: isInjecting(c),
    }));
    this.d.events.publish(EVENTS.modelEvaluated, { evaluation, campaigns });
  }

  private knownTriggers(): KnownTrigger[] {
    return this.d.campaigns.list().map(knownTrigger);
  }

  /** Runs a backdoor scan of the served model now (waits for it); refused while a cycle runs. */
  async scanNow(): Promise<ScanSummary> {
    if (!this.isReady()) throw new NotReadyError('no model is served yet');
    return this.exclusive.run(() => this.scanServed());
  }

  private async scanServed(): Promise<ScanSummary> {
    const { events, policy, config } = this.d;
    const previous = this.phase;
    this.phase = 'scanning';
    const served = this.served.get();
    const version = served.manifest.version;
    try {
      let scan: ScanSummary;
      try {
        scan = await this.d.trainer.scan(served.bytes, this.step);
      } catch (err) {
        // Work cut short by stop() (the worker is terminated) is expected, not a failure.
        if (!this.stopped) {
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
      await this.recordScan(version, scan);
      events.publish(EVENTS.scanFinished, { ...scan, version, step: this.step });
      const decision = policy.onScan(scan.flagged, scan.defense, scan.anomalyIndex);
      if (decision) {
        this.publishDecision(decision);
        await this.operator.persist();
      }
      return scan;
    } finally {
      this.phase = previous === 'scanning' ? 'idle' : previous;
    }
  }

  /** Adds the scan to the version's history; a registry error loses the entry, not the scan. */
  private async recordScan(version: number, scan: ScanSummary): Promise<void> {
    const { defense, anomalyIndex, indexCeiling, flagged, flaggedLabels, seconds } = scan;
    const record = { at: new Date().toISOString(), step: this.step, defense, anomalyIndex, indexCeiling };
    try {
      await appendScan(this.d.store, this.name, version, { ...record, flagged, flaggedLabels, seconds });
    } catch (err) {
      this.d.log.warn({ err, version }, 'scan not recorded in the registry');
    }
  }

  /** Starts a scan without waiting; refused while a cycle or scan runs. */
  startScan(): { accepted: boolean; reason?: string } {
    if (!this.isReady()) return { accepted: false, reason: 'not ready' };
    if (this.exclusive.busy) return { accepted: false, reason: 'busy' };
    // A failed scan is reported by its scan:failed event.
    this.exclusive.run(() => this.scanServed()).catch(() => undefined);
    return { accepted: true };
  }

  private publishDecision(decision: PolicyDecision): void {
    this.d.events.publish(EVENTS.policyDecision, { ...decision, active: this.d.policy.active });
  }

  /**
   * Promotes an earlier version (checksums verified); the drift step does not move back.
   * `ref` is a version number or names one: `v3`, an alias (`previous`), `live@previous`.
   */
  async rollback(ref: number | string): Promise<Pointer> {
    if (!this.isReady()) throw new NotReadyError('no model is served yet');
    if (this.exclusive.busy) throw new BusyError('a cycle or scan is running');
    this.guard.requireWritable();
    return this.exclusive.run(async () => {
      const version = await resolveVersion(this.d.store, this.name, ref);
      let loaded: LoadedVersion;
      try {
        loaded = await this.d.store.loadVersion(this.name, version);
      } catch (err) {
        if (!(err instanceof CorruptFileError || err instanceof ChecksumError)) throw err;
        this.guard.fault('model', err.message, 'rollback refused');
        throw new CorruptVersionError(`v${version} cannot be served: ${err.message}`);
      }
      if (loaded.manifest.status === 'rejected') throw new RejectedVersionError(`v${version} was rejected`);
      const pointer = await this.d.store.promote(this.name, version, this.step, 'rollback');
      if (this.guard.health.setFallback(false)) this.guard.publishHealth();
      this.served.serve(pointer, loaded.manifest, loaded.files[MODEL_FILE]);
      this.applyEvaluation(
        await this.d.trainer.evaluate(loaded.files[MODEL_FILE], this.step, this.knownTriggers()),
      );
      this.d.events.publish(EVENTS.modelRolledBack, {
        version,
        step: this.step,
        schedule: loaded.manifest.schedule,
      });
      this.publishState();
      return pointer;
    });
  }

  /** Creates a poison campaign; resolves once the operator state holding it is saved. */
  async createCampaign(input: CampaignInput): Promise<Campaign> {
    this.operator.require();
    if (this.shape) {
      try {
        resolveAttack(seededAttack(input.trigger, 0), this.shape);
      } catch (err) {
        // Only the size of a patch depends on the image; every other bound is the attack's schema.
        const field = `body.trigger.${getAttack(input.trigger.kind).visibilityKnob}`;
        throw new InvalidCampaignError(`invalid ${field}: ${(err as Error).message}`, field);
      }
    }
    this.guard.requireWritable();
    const problem = admissionProblem(this.d.campaigns.injecting(), input, classShareBound(this.numClasses));
    if (problem) throw new AdmissionError(`campaign refused: ${problem}`);
    const { campaign, evicted } = await this.operator.commit(() => this.d.campaigns.create(input));
    if (evicted) this.d.events.publish(EVENTS.poisonForgotten, evicted);
    this.d.events.publish(EVENTS.poisonInjected, campaign);
    return campaign;
  }

  async stopCampaign(id: string): Promise<Campaign | undefined> {
    this.operator.require();
    const campaign = this.d.campaigns.get(id);
    if (!campaign) return undefined;
    if (!isInjecting(campaign)) return campaign;
    this.guard.requireWritable();
    await this.operator.commit(() => this.d.campaigns.stop(id));
    // The commit may have replaced the objects (undo on failure): read it back.
    const stopped = this.d.campaigns.get(id) ?? campaign;
    this.d.events.publish(EVENTS.poisonStopped, stopped);
    return stopped;
  }

  async setSchedule(schedule: string): Promise<void> {
    this.operator.require();
    this.guard.requireWritable();
    await this.operator.commit(() => (this.operator.schedule = schedule));
    this.d.events.publish(EVENTS.scheduleChanged, { schedule, effective: this.d.policy.schedule(schedule) });
  }

  async setPaused(paused: boolean): Promise<void> {
    this.operator.require();
    this.guard.requireWritable();
    await this.operator.commit(() => (this.operator.paused = paused));
    this.publishState();
  }

  /** One page of versions, newest first (`before`: the cursor of the previous page). */
  listModels(limit: number, before: number | null): Promise<VersionPage> {
    return this.d.store.listPage(this.name, limit, before);
  }

  /** A failed cycle: a campaign that did not fit fails alone; a refused write means read-only. */
  private async onCycleError(err: unknown): Promise<void> {
    const poison = POISON_SOURCE_ERROR.exec((err as Error).message);
    const campaign = poison ? this.d.campaigns.get(poison[1]) : undefined;
    if (campaign && this.d.campaigns.fail(campaign.id, (err as Error).message)) {
      this.d.events.publish(EVENTS.poisonFailed, campaign);
      await this.operator.persist();
    }
    this.guard.onWriteError(err);
  }

  /** The retention policy (registry/retention.ts), after each promotion; 0 keeps every version. */
  private async prune(): Promise<void> {
    const recent = this.d.config.RETAIN_RECENT;
    if (recent === 0) return;
    const campaignRefs: ReferencedVersions = () => this.d.campaigns.list().flatMap((c) => c.injectedVersions);
    try {
      const removed = await pruneVersions(this.d.store, this.name, {
        recent,
        referenced: [campaignRefs, ...(this.d.retentionRefs ?? [])],
      });
      if (removed.length > 0) this.d.events.publish(EVENTS.registryPruned, { versions: removed });
    } catch (err) {
      // Retention is housekeeping: a failure is retried after the next promotion.
      this.d.log.warn({ err }, 'pruning old versions failed');
    }
  }

  /** The drift step, for tests and the demo. */
  currentStep(): number {
    return this.step;
  }

  state(): LoopState {
    const { policy, campaigns } = this.d;
    const schedule = this.operator.schedule;
    return {
      ready: this.isReady(),
      phase: this.phase,
      paused: this.operator.paused,
      bootError: this.bootError ?? null,
      step: this.step,
      model: this.served.view(),
      schedule: { operator: schedule, effective: policy.schedule(schedule) },
      progress: this.progress,
      lastCycle: this.lastCycle ? { ...this.lastCycle } : null,
      evaluation: this.lastEvaluation ?? null,
      scan: this.lastScan ?? null,
      campaigns: campaigns.list(),
      policy: { enabled: policy.enabled, active: policy.active, decisions: policy.history() },
      registry: this.guard.health.view(),
      config: stateConfig(this.d.config),
    };
  }

  registryHealth(): RegistryHealthView {
    return this.guard.health.view();
  }

  private publishState(): void {
    this.d.events.publish(EVENTS.state, this.state());
  }

  /** Stops accepting work and waits (bounded) for a registry write in flight. */
  async stop(timeoutMs = 10_000): Promise<void> {
    this.stopped = true;
    this.phase = 'stopped';
    await this.d.trainer.close();
    const pending = Promise.all([this.exclusive.settled(), this.operator.flushed()]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([pending, new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }
}
