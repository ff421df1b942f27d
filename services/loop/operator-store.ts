/**
 * The operator's run-time choices (schedule, pause, campaigns, policy) held in memory and
 * persisted in the registry after each change, so that a restart resumes them (the rules of
 * what wins over the configuration are in operator-state.ts).
 */
import type { Logger } from '../log.ts';
import type { ModelStore } from '../registry/model-store.ts';
import type { Campaigns } from './campaigns.ts';
import { NotReadyError } from './errors.ts';
import { resumeOperatorState, type Configured, type OperatorState } from './operator-state.ts';
import type { MitigationPolicy } from './policy.ts';

export interface OperatorStoreDeps {
  store: Pick<ModelStore, 'loadOperatorState' | 'saveOperatorState'>;
  name: string;
  configured: Configured;
  campaigns: Campaigns;
  policy: MitigationPolicy;
  log: Logger;
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

  /** Resumes the schedule, pause, campaigns and policy saved by the previous run. */
  async restore(): Promise<void> {
    const { store, name, configured, campaigns, policy, log } = this.d;
    const resumed = resumeOperatorState(await store.loadOperatorState(name), configured);
    this.schedule = resumed.schedule;
    this.paused = resumed.paused;
    campaigns.restore(resumed.campaigns);
    policy.restore(resumed.policy);
    for (const note of resumed.notes) log.info(note);
    this.loaded = true;
  }

  /** Operator changes before the stored state is read would be overwritten by it: refuse them. */
  require(): void {
    if (!this.loaded)
      throw new NotReadyError('starting: the operator state is not loaded yet (registry unreachable?)');
  }

  /**
   * Saves the whole state; resolves once written. A failed write is logged, not thrown: the
   * change holds in memory and the next write (which carries the whole state) retries.
   */
  persist(): Promise<void> {
    const { store, name, configured, campaigns, policy, log } = this.d;
    const state: OperatorState = {
      format: 1,
      savedAt: new Date().toISOString(),
      schedule: this.schedule,
      paused: this.paused,
      configured: { ...configured },
      campaigns: structuredClone(campaigns.list()),
      policy: policy.snapshot(),
    };
    this.persisting = this.persisting
      .then(() => store.saveOperatorState(name, state))
      .catch((err: Error) =>
        log.error({ err }, 'saving the operator state failed; will retry on the next change'),
      );
    return this.persisting;
  }

  /** Resolves once every write started so far has landed (or failed). */
  flushed(): Promise<void> {
    return this.persisting;
  }
}
