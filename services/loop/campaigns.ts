/**
 * Poison campaigns injected through the admin API. A campaign poisons the next `cycles`
 * promoted updates (1 for one-shot); its ASR is then tracked on every later model so that
 * gamma-survivability can be read live. The number kept is bounded (metric labels).
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import {
  attackConfigSchema,
  attackKindSchema,
  getAttack,
  type AttackConfig,
} from '../../sim/attacks/index.ts';

/**
 * A campaign's trigger: an attack config checked by that attack's own schema (sim/attacks),
 * without its seed parameter, which the campaign's seed sets.
 */
export const triggerSpecSchema = z
  .object({ kind: attackKindSchema })
  .passthrough()
  .superRefine((config, ctx) => {
    const { seedParam } = getAttack(config.kind);
    if (seedParam && seedParam in config)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: [seedParam], message: "set by the campaign's seed" });
  })
  .pipe(attackConfigSchema);
export type TriggerSpec = AttackConfig;

export const CAMPAIGN_STATUSES = ['pending', 'active', 'finished', 'stopped', 'failed'] as const;

/** A campaign as persisted in the operator state (checked when a restart reads it back). */
export const campaignSchema = z.object({
  id: z.string().regex(/^c[0-9a-f]{8}$/),
  trigger: triggerSpecSchema,
  ratio: z.number().gt(0).max(1),
  target: z.number().int().nonnegative(),
  mode: z.enum(['one-shot', 'persistent']),
  cycles: z.number().int().positive(),
  seed: z.number().int().nonnegative(),
  createdAt: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  injectedSteps: z.array(z.number().int().nonnegative()),
  /** Older states have no such field: their versions are replayed from the registry (reconcile). */
  injectedVersions: z.array(z.number().int().positive()).default([]),
  failure: z.string().optional(),
  asr: z.array(z.object({ step: z.number(), version: z.number(), asr: z.number() })),
  survivability: z.number().int().nonnegative(),
  decayed: z.boolean(),
});

export interface CampaignInput {
  trigger: TriggerSpec;
  ratio: number;
  target: number;
  mode: 'one-shot' | 'persistent';
  /** Updates to poison (1 for one-shot). */
  cycles: number;
}

/** failed: a cycle could not apply its poison (it did not fit the batch); it stopped injecting. */
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export interface Campaign extends CampaignInput {
  id: string;
  /** Seeds the trigger (a Blend key, a WaNet field) so it is the same in every update. */
  seed: number;
  createdAt: string;
  status: CampaignStatus;
  /** Drift steps of the promoted updates that carried this poison. */
  injectedSteps: number[];
  /**
   * Versions of those updates: a promotion whose operator-state write was lost (a crash
   * between the two) is recognised at restart and not poisoned a second time.
   */
  injectedVersions: number[];
  /** Why a cycle could not apply it (status failed). */
  failure?: string;
  /** ASR of this trigger on each promoted model since the campaign was created. */
  asr: { step: number; version: number; asr: number }[];
  /** Updates after the last poisoned one whose ASR stayed above gamma. */
  survivability: number;
  /** True once a model after the last poisoned one fell to gamma or below. */
  decayed: boolean;
}

/** ASR history kept per campaign (the survivability count does not need the rest). */
const HISTORY = 500;

export class CampaignLimitError extends Error {}

export class Campaigns {
  private readonly byId = new Map<string, Campaign>();

  constructor(
    private readonly limit: number,
    private readonly gamma = 0.5,
  ) {}

  /** Creates a pending campaign; evicts the oldest inactive one when full. */
  create(input: CampaignInput): { campaign: Campaign; evicted?: Campaign } {
    let evicted: Campaign | undefined;
    if (this.byId.size >= this.limit) {
      evicted = [...this.byId.values()].find((c) => !isInjecting(c));
      if (!evicted) throw new CampaignLimitError(`${this.limit} campaigns are still injecting`);
      this.byId.delete(evicted.id);
    }
    const campaign: Campaign = {
      ...input,
      id: `c${randomBytes(4).toString('hex')}`,
      seed: randomBytes(4).readUInt32LE(0),
      createdAt: new Date().toISOString(),
      status: 'pending',
      injectedSteps: [],
      injectedVersions: [],
      asr: [],
      survivability: 0,
      decayed: false,
    };
    this.byId.set(campaign.id, campaign);
    return { campaign, evicted };
  }

  /** Replaces every campaign (a restart restoring the operator state); keeps the newest `limit`. */
  restore(campaigns: readonly Campaign[]): void {
    this.byId.clear();
    for (const c of campaigns.slice(-this.limit)) this.byId.set(c.id, structuredClone(c));
  }

  get(id: string): Campaign | undefined {
    return this.byId.get(id);
  }

  list(): Campaign[] {
    return [...this.byId.values()];
  }

  /** Stops injecting; the ASR keeps being tracked. Returns false if it was not injecting. */
  stop(id: string): boolean {
    const c = this.byId.get(id);
    if (!c || !isInjecting(c)) return false;
    c.status = 'stopped';
    return true;
  }

  /** Stops a campaign a cycle could not apply; returns false if it was not injecting. */
  fail(id: string, reason: string): boolean {
    const c = this.byId.get(id);
    if (!c || !isInjecting(c)) return false;
    c.status = 'failed';
    c.failure = reason;
    return true;
  }

  /** Campaigns whose poison goes into the next update. */
  injecting(): Campaign[] {
    return this.list().filter(isInjecting);
  }

  /** Records a promoted update: which campaigns it carried and the ASR of every trigger. */
  recordPromoted(
    step: number,
    version: number,
    carried: readonly string[],
    asr: Record<string, number>,
  ): void {
    for (const id of carried) {
      const c = this.byId.get(id);
      if (!c || !isInjecting(c) || c.injectedVersions.includes(version)) continue;
      c.injectedSteps.push(step);
      c.injectedVersions.push(version);
      c.status = c.injectedSteps.length >= c.cycles ? 'finished' : 'active';
      // Survivability counts from the last poisoned update (paper Definition 5.1).
      c.survivability = 0;
      c.decayed = false;
    }
    for (const c of this.byId.values()) {
      const value = asr[c.id];
      if (value === undefined) continue;
      c.asr.push({ step, version, asr: value });
      if (c.asr.length > HISTORY) c.asr.splice(0, c.asr.length - HISTORY);
      const last = c.injectedSteps.at(-1);
      if (last === undefined || step <= last || c.decayed) continue;
      if (value > this.gamma) c.survivability++;
      else c.decayed = true;
    }
  }
}

/** Whether the campaign's poison still goes into updates. */
export function isInjecting(c: Campaign): boolean {
  return c.status === 'pending' || c.status === 'active';
}
