/**
 * What the service knows about the state of its registry, for /healthz, /readyz and the
 * metrics: the damaged documents found (kept bounded), whether the store can be written
 * (a read-only mount or a full disk makes the service serve read-only), and whether the
 * served version is a fallback for the one the stored pointer names.
 */
import type { RegistryFaultKind } from '../contract.ts';

export interface RegistryFault {
  kind: RegistryFaultKind;
  /** What was damaged and why, e.g. "v7: model.bin does not match its sha256". */
  detail: string;
  /** What the service did about it. */
  action: string;
  at: string;
}

export type Writability = { writable: true } | { writable: false; reason: string };

export interface RegistryHealthView {
  status: 'ok' | 'degraded' | 'read-only';
  writable: boolean;
  /** Why the store cannot be written (when it cannot). */
  reason: string | null;
  /** True while the served version is not the one the stored pointer named. */
  fallback: boolean;
  faults: RegistryFault[];
}

/** Faults kept for /readyz (the counter keeps the total). */
const KEPT = 20;

export class RegistryHealth {
  private readonly faults: RegistryFault[] = [];
  private writability: Writability = { writable: true };
  private fallback = false;

  record(kind: RegistryFaultKind, detail: string, action: string): RegistryFault {
    const fault = { kind, detail, action, at: new Date().toISOString() };
    this.faults.push(fault);
    if (this.faults.length > KEPT) this.faults.splice(0, this.faults.length - KEPT);
    return fault;
  }

  /** Returns true when the value changed (so the caller publishes the new view). */
  setWritability(w: Writability): boolean {
    const changed = w.writable !== this.writability.writable;
    this.writability = w;
    return changed;
  }

  setFallback(fallback: boolean): boolean {
    const changed = fallback !== this.fallback;
    this.fallback = fallback;
    return changed;
  }

  get writable(): boolean {
    return this.writability.writable;
  }

  /** The reason writes are refused, for 503 answers. */
  get readOnlyReason(): string | undefined {
    return this.writability.writable ? undefined : this.writability.reason;
  }

  view(): RegistryHealthView {
    const w = this.writability;
    return {
      status: !w.writable ? 'read-only' : this.fallback || this.faults.length > 0 ? 'degraded' : 'ok',
      writable: w.writable,
      reason: w.writable ? null : w.reason,
      fallback: this.fallback,
      faults: [...this.faults],
    };
  }
}

/** A one-line reason for a failed write: the errno code names read-only and full disks. */
export function writeFailureReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EROFS') return 'read-only file system (EROFS)';
  if (code === 'ENOSPC' || code === 'EDQUOT') return `no space left on the registry's storage (${code})`;
  if (code === 'EACCES' || code === 'EPERM') return `permission denied writing the registry (${code})`;
  return `writing the registry failed: ${(err as Error).message}`;
}
