/**
 * The optional auto-mitigation policy. It sees only what a defender can observe (scan
 * results), never the ground-truth ASR: when a scan flags the model, the next k promoted
 * updates use STLR instead of the operator's schedule.
 */
import type { PolicyAction } from '../contract.ts';

export interface PolicyDecision {
  at: string;
  action: PolicyAction;
  reason: string;
  /** Updates still forced to STLR after this decision. */
  remaining: number;
}

export interface PolicySnapshot {
  remaining: number;
  decisions: PolicyDecision[];
}

const MAX_DECISIONS = 100;

export interface PolicyOptions {
  enabled: boolean;
  forcedUpdates: number;
  forcedSchedule: string;
}

export class MitigationPolicy {
  private remaining = 0;
  private readonly decisions: PolicyDecision[] = [];

  constructor(private readonly options: PolicyOptions) {}

  get enabled(): boolean {
    return this.options.enabled;
  }

  get active(): boolean {
    return this.remaining > 0;
  }

  /** The schedule of the next update given the operator's choice. */
  schedule(operatorSchedule: string): string {
    return this.active ? this.options.forcedSchedule : operatorSchedule;
  }

  /** Called after each scan; returns the decision taken, if any. */
  onScan(flagged: boolean, defense: string, anomalyIndex: number): PolicyDecision | undefined {
    if (!this.options.enabled || !flagged) return undefined;
    const action: PolicyAction = this.active ? 'extend' : 'force_stlr';
    this.remaining = this.options.forcedUpdates;
    return this.decide(
      action,
      `${defense} flagged the model (anomaly index ${anomalyIndex.toFixed(2)}): next ${this.remaining} updates use ${this.options.forcedSchedule}`,
    );
  }

  /** Called after each promoted update; releases the forced schedule when it runs out. */
  onUpdatePromoted(): PolicyDecision | undefined {
    if (!this.active) return undefined;
    this.remaining--;
    return this.remaining === 0 ? this.decide('release', 'forced STLR updates done') : undefined;
  }

  history(): readonly PolicyDecision[] {
    return this.decisions;
  }

  /** What a restart needs to carry on: forced updates left and the decision log. */
  snapshot(): PolicySnapshot {
    return { remaining: this.remaining, decisions: [...this.decisions] };
  }

  restore(snapshot: PolicySnapshot): void {
    this.remaining = snapshot.remaining;
    this.decisions.splice(0, this.decisions.length, ...snapshot.decisions.slice(-MAX_DECISIONS));
  }

  private decide(action: PolicyAction, reason: string): PolicyDecision {
    const decision = { at: new Date().toISOString(), action, reason, remaining: this.remaining };
    this.decisions.push(decision);
    if (this.decisions.length > MAX_DECISIONS) this.decisions.shift();
    return decision;
  }
}
