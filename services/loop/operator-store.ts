/**
 * The operator's run-time choices (schedule, pause, campaigns, policy) held in memory and
 * persisted in the registry, so that a restart resumes them (the rules of what wins over the
 * configuration are in operator-state.ts). An admin change is acknowledged only once it is
 * durable: `commit` applies it, writes the whole state (write, fsync, rename, fsync of the
 * folder: registry/fs-store.ts) and undoes the change in memory if the write fails.
 */
import type { Logger } from '../log.ts';
import { CorruptFileError, type ModelStore } from '../registry/model-store.ts';
import type { Campaigns } from './campaigns.ts';
import { NotDurableError, NotReadyError } from './errors.ts';
import { resumeOperatorState, type Configured, type OperatorState } from './operator-state.ts';
import type { MitigationPolicy, PolicySnapshot } from './policy.ts';
import type { Campaign } from './campaigns.ts';

export interface OperatorStoreDeps {
  store: Pick<ModelStore, 'loadOperatorState' | 'saveOperatorState'>;
  name: string;
  configured: Configured;
  campaigns: Campaigns;
  policy: MitigationPolicy;
  log: Logger;
}

interface Snapshot {
  schedule: string;
  paused: boolean;
  campaigns: Campaign[];
  policy: PolicySnapshot;
}

export class OperatorStore {
  schedule: string;
  paused: boolean;
  /** False until the previous run's state is read; operator changes wait for it. */
  private loaded = false;
  /** Writes, chained so that they land in order. */
  private persisting: Promise<void> = Promise.resolve();

  constructor(private readonly d: OperatorStoreDeps) {
    this.schedule = d.configured.schedule;
    this.paused = !d.configured.cyclesEnabled;
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  /**
   * Resumes the schedule, pause, campaigns and policy saved by the previous run. A damaged
   * document (not JSON, or not of the schema) is not fatal: the service starts from its
   * configuration and the returned detail says what was wrong (for the registry health).
   */
  async restore(): Promise<string | undefined> {
    const { store, name, configured, campaigns, policy, log } = this.d;
    let stored: unknown;
    let damage: string | undefined;
    try {
      stored = await store.loadOperatorState(name);
    } catch (err) {
      if (!(err instanceof CorruptFileError)) throw err;
      damage = err.message;
    }
    const resumed = resumeOperatorState(stored, configured);
    damage ??= resumed.damage;
    this.schedule = resumed.schedule;
    this.paused = resumed.paused;
    campaigns.restore(resumed.campaigns);
    policy.restore(resumed.policy);
    for (const note of resumed.notes) log.info(note);
    this.loaded = true;
    return damage;
  }

  /** Operator changes before the stored state is read would be overwritten by it: refuse them. */
  require(): void {
    if (!this.loaded)
      throw new NotReadyError('starting: the operator state is not loaded yet (registry unreachable?)');
  }

  /**
   * Applies `change`, then saves the whole state; resolves once it is durable. If the write
   * fails the change is undone in memory and NotDurableError thrown (the request answers
   * 503), so nothing is acknowledged that a restart would lose.
   */
  async commit<T>(change: () => T): Promise<T> {
    const before = this.snapshot();
    const result = change();
    try {
      await this.write();
    } catch (err) {
      this.apply(before);
      throw new NotDurableError(`the change was not saved: ${(err as Error).message}`);
    }
    return result;
  }

  /**
   * Saves the whole state after a change the loop made itself (a promotion, a policy
   * decision); resolves once written. A failed write is logged, not thrown: the registry's
   * versions carry what a restart needs to replay it (live-loop.ts, reconcile), and the next
   * write (which carries the whole state) retries.
   */
  persist(): Promise<void> {
    return this.write().catch((err: Error) =>
      this.d.log.error({ err }, 'saving the operator state failed; will retry on the next change'),
    );
  }

  private write(): Promise<void> {
    const { store, name, configured, campaigns, policy } = this.d;
    const state: OperatorState = {
      format: 1,
      savedAt: new Date().toISOString(),
      schedule: this.schedule,
      paused: this.paused,
      configured: { ...configured },
      campaigns: structuredClone(campaigns.list()),
      policy: policy.snapshot(),
    };
    const write = this.persisting.catch(() => undefined).then(() => store.saveOperatorState(name, state));
    this.persisting = write.catch(() => undefined);
    return write;
  }

  private snapshot(): Snapshot {
    const { campaigns, policy } = this.d;
    return {
      schedule: this.schedule,
      paused: this.paused,
      campaigns: structuredClone(campaigns.list()),
      policy: policy.snapshot(),
    };
  }

  private apply(s: Snapshot): void {
    this.schedule = s.schedule;
    this.paused = s.paused;
    this.d.campaigns.restore(s.campaigns);
    this.d.policy.restore(s.policy);
  }

  /** Resolves once every write started so far has landed (or failed). */
  flushed(): Promise<void> {
    return this.persisting;
  }
}
