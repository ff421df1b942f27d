/**
 * The operator's run-time choices, persisted in the registry beside the model versions so
 * that a restart resumes them: the update schedule (PUT /admin/schedule), pause/resume,
 * poison campaigns and the auto-mitigation policy's state. The configuration the service
 * started with is recorded too: when SCHEDULE or CYCLES_ENABLED changed between runs, the
 * new configuration wins over the stored run-time choice (the operator edited it on purpose).
 */
import { z } from 'zod';
import { POLICY_ACTIONS } from '../contract.ts';
import { campaignSchema, type Campaign } from './campaigns.ts';
import type { PolicySnapshot } from './policy.ts';

export const operatorStateSchema = z.object({
  format: z.literal(1),
  savedAt: z.string(),
  schedule: z.string(),
  paused: z.boolean(),
  /** SCHEDULE and CYCLES_ENABLED at the time of saving. */
  configured: z.object({ schedule: z.string(), cyclesEnabled: z.boolean() }),
  campaigns: z.array(campaignSchema),
  policy: z.object({
    remaining: z.number().int().nonnegative(),
    decisions: z.array(
      z.object({
        at: z.string(),
        action: z.enum(POLICY_ACTIONS),
        reason: z.string(),
        remaining: z.number().int().nonnegative(),
      }),
    ),
  }),
});
export type OperatorState = z.infer<typeof operatorStateSchema>;

export interface Configured {
  schedule: string;
  cyclesEnabled: boolean;
}

/** What the loop resumes with after reading a stored state against the current config. */
export interface Resumed {
  schedule: string;
  paused: boolean;
  campaigns: Campaign[];
  policy: PolicySnapshot;
  /** Human-readable notes for the start-up log (what was restored, what config overrode). */
  notes: string[];
  /** Set when the stored document was not of the schema (it is then ignored). */
  damage?: string;
}

/**
 * Decides what to resume. `stored` is the raw document (or undefined on a first start); an
 * unreadable one is reported, not fatal: the service starts from its configuration.
 */
export function resumeOperatorState(stored: unknown, configured: Configured): Resumed {
  const fresh: Resumed = {
    schedule: configured.schedule,
    paused: !configured.cyclesEnabled,
    campaigns: [],
    policy: { remaining: 0, decisions: [] },
    notes: [],
  };
  if (stored === undefined) return fresh;
  const parsed = operatorStateSchema.safeParse(stored);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const damage = `operator.json: ${issue.path.join('.')}: ${issue.message}`;
    return {
      ...fresh,
      damage,
      notes: [`stored operator state ignored: ${issue.path.join('.')}: ${issue.message}`],
    };
  }
  const s = parsed.data;
  const notes = [`restored ${s.campaigns.length} campaign(s) and the policy state saved at ${s.savedAt}`];
  let schedule = s.schedule;
  if (s.configured.schedule !== configured.schedule) {
    schedule = configured.schedule;
    notes.push(`SCHEDULE changed to ${configured.schedule} since the last run: it replaces ${s.schedule}`);
  } else if (s.schedule !== configured.schedule) {
    notes.push(`schedule ${s.schedule} restored (set at run time)`);
  }
  let paused = s.paused;
  if (s.configured.cyclesEnabled !== configured.cyclesEnabled) {
    paused = !configured.cyclesEnabled;
    notes.push(`CYCLES_ENABLED changed since the last run: cycles ${paused ? 'paused' : 'running'}`);
  } else if (s.paused !== !configured.cyclesEnabled) {
    notes.push(`cycles ${paused ? 'paused' : 'resumed'} at run time: kept`);
  }
  return { schedule, paused, campaigns: s.campaigns, policy: s.policy, notes };
}
