/**
 * The loop's watch over its registry: whether it can be written (a read-only mount or a
 * full disk makes the service serve read-only until a probe write succeeds), the damaged
 * documents found (reported as events: metrics and logs listen), and the check before each
 * cycle that the stored pointer still names the served version.
 */
import { EVENTS, type RegistryFaultKind } from '../contract.ts';
import type { LoopBus } from '../events.ts';
import type { Logger } from '../log.ts';
import { CorruptFileError, type ModelStore } from '../registry/model-store.ts';
import { ReadOnlyError } from './errors.ts';
import { RegistryHealth, writeFailureReason } from './registry-health.ts';
import type { Served } from './served-model.ts';

export interface GuardDeps {
  store: Pick<ModelStore, 'probeWritable' | 'getPromoted' | 'promote'>;
  name: string;
  events: LoopBus;
  log: Logger;
}

/** errno codes that say the storage refuses writes (as opposed to an outage, retried as usual). */
const REFUSING = new Set(['EROFS', 'ENOSPC', 'EDQUOT', 'EACCES', 'EPERM']);

export class RegistryGuard {
  readonly health = new RegistryHealth();

  constructor(private readonly d: GuardDeps) {}

  /** Probes the store; a failure switches to read-only, a success back. Returns writability. */
  async checkWritable(): Promise<boolean> {
    try {
      await this.d.store.probeWritable();
      if (this.health.setWritability({ writable: true })) {
        this.d.log.info('the registry is writable again: cycles and admin changes resume');
        this.publishHealth();
      }
      return true;
    } catch (err) {
      this.markUnwritable(err);
      return false;
    }
  }

  /** A failed write: read-only if the storage refused it (EROFS, ENOSPC, ...). */
  onWriteError(err: unknown): void {
    if (REFUSING.has((err as NodeJS.ErrnoException).code ?? '')) this.markUnwritable(err);
  }

  private markUnwritable(err: unknown): void {
    const reason = writeFailureReason(err);
    if (this.health.setWritability({ writable: false, reason })) {
      this.d.log.error({ reason }, 'the registry cannot be written: serving read-only');
      this.publishHealth();
    }
  }

  /** Refuses a change while the registry cannot be written (it could not be made durable). */
  requireWritable(): void {
    const reason = this.health.readOnlyReason;
    if (reason)
      throw new ReadOnlyError(`the registry is read-only (${reason}): no changes until it can be written`);
  }

  fault(kind: RegistryFaultKind, detail: string, action: string): void {
    this.d.events.publish(EVENTS.registryFault, this.health.record(kind, detail, action));
  }

  publishHealth(): void {
    this.d.events.publish(EVENTS.registryHealth, this.health.view());
  }

  /**
   * Before a cycle: a lost or damaged pointer, or one naming another version, is reported
   * and re-written to the served version (what the operator last chose or a cycle promoted).
   */
  async checkPointer(served: Served, step: number): Promise<void> {
    const { store, name } = this.d;
    let detail: string | undefined;
    try {
      const stored = await store.getPromoted(name);
      if (!stored) detail = `models/${name}: the pointer is missing`;
      else if (stored.version !== served.manifest.version)
        detail = `the pointer names v${stored.version}, v${served.manifest.version} is served`;
    } catch (err) {
      if (!(err instanceof CorruptFileError)) throw err;
      detail = err.message;
    }
    if (!detail) return;
    this.fault('pointer', detail, `re-written to the served v${served.manifest.version}`);
    await store.promote(name, served.manifest.version, step, 'recovered');
  }
}
