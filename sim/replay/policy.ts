/**
 * Replay policies: which schedule each replayed update uses (docs/replay.md).
 *   recorded                          the schedule each version was trained with
 *   sgd:0.01 | stlr:0.5[:cut]         one schedule for every replayed update
 *   stlr:0.5@v7                       the recorded schedules, then this one from version 7 on
 *   periodic:stlr:0.5:every=3         this schedule on every 3rd drift step, recorded otherwise
 *   scan-stlr[:stlr:0.5][:updates=2][:every=1]
 *                                     the service's observable policy: scan every `every`
 *                                     updates; a flag forces `updates` updates to the schedule
 * The state machine below is pure; the engine feeds it the scans it runs.
 */
import { describeSchedule, parseSchedule } from '../train/schedules.ts';

export type ReplayPolicy =
  | { readonly kind: 'recorded' }
  | { readonly kind: 'schedule'; readonly schedule: string; readonly fromVersion: number | null }
  | { readonly kind: 'periodic'; readonly schedule: string; readonly every: number }
  | {
      readonly kind: 'scan-stlr';
      readonly schedule: string;
      readonly updates: number;
      readonly every: number;
    };

export class PolicyError extends Error {}

/** The service's scan-stlr defaults (POLICY_STLR_SCHEDULE, POLICY_STLR_UPDATES); every cycle scanned. */
export const SCAN_STLR_DEFAULTS = { schedule: 'stlr:0.5:0.1', updates: 2, every: 1 } as const;

function schedule(text: string, policy: string): string {
  try {
    return describeSchedule(parseSchedule(text));
  } catch (err) {
    throw new PolicyError(`policy '${policy}': ${(err as Error).message}`);
  }
}

function count(text: string | undefined, what: string, policy: string): number {
  const n = Number(text);
  if (text === undefined || !/^\d+$/.test(text) || n < 1)
    throw new PolicyError(`policy '${policy}': ${what} must be a positive integer`);
  return n;
}

/** Splits `a:b:key=v:...` into positional parts and key=value options. */
function split(rest: string): { parts: string[]; options: Map<string, string> } {
  const parts: string[] = [];
  const options = new Map<string, string>();
  for (const piece of rest === '' ? [] : rest.split(':')) {
    const m = /^([a-z]+)=(.*)$/.exec(piece);
    if (m) options.set(m[1], m[2]);
    else parts.push(piece);
  }
  return { parts, options };
}

function noOtherOptions(options: Map<string, string>, allowed: readonly string[], policy: string): void {
  for (const key of options.keys())
    if (!allowed.includes(key)) throw new PolicyError(`policy '${policy}': unknown option '${key}'`);
}

export function parseReplayPolicy(input: string): ReplayPolicy {
  const text = input.trim().toLowerCase();
  if (text === 'recorded') return { kind: 'recorded' };
  if (text === 'scan-stlr' || text.startsWith('scan-stlr:')) {
    const { parts, options } = split(text.slice('scan-stlr'.length + 1));
    noOtherOptions(options, ['updates', 'every'], input);
    return {
      kind: 'scan-stlr',
      schedule: parts.length > 0 ? schedule(parts.join(':'), input) : SCAN_STLR_DEFAULTS.schedule,
      updates: options.has('updates')
        ? count(options.get('updates'), 'updates', input)
        : SCAN_STLR_DEFAULTS.updates,
      every: options.has('every') ? count(options.get('every'), 'every', input) : SCAN_STLR_DEFAULTS.every,
    };
  }
  if (text.startsWith('periodic:')) {
    const { parts, options } = split(text.slice('periodic:'.length));
    noOtherOptions(options, ['every'], input);
    if (!options.has('every')) throw new PolicyError(`policy '${input}': periodic needs every=<n>`);
    return {
      kind: 'periodic',
      schedule: schedule(parts.join(':'), input),
      every: count(options.get('every'), 'every', input),
    };
  }
  const at = /^(.*)@v(\d+)$/.exec(text);
  if (at) {
    return {
      kind: 'schedule',
      schedule: schedule(at[1], input),
      fromVersion: count(at[2], 'the version', input),
    };
  }
  if (/^(sgd|constant|stlr):/.test(text))
    return { kind: 'schedule', schedule: schedule(text, input), fromVersion: null };
  throw new PolicyError(
    `unknown policy '${input}': use recorded, sgd:<lr>, stlr:<max>, <schedule>@v<N>, periodic:<schedule>:every=<n> or scan-stlr`,
  );
}

/** The canonical text of a policy (parseReplayPolicy reads it back to the same policy). */
export function describePolicy(p: ReplayPolicy): string {
  switch (p.kind) {
    case 'recorded':
      return 'recorded';
    case 'schedule':
      return p.fromVersion === null ? p.schedule : `${p.schedule}@v${p.fromVersion}`;
    case 'periodic':
      return `periodic:${p.schedule}:every=${p.every}`;
    case 'scan-stlr':
      return `scan-stlr:${p.schedule}:updates=${p.updates}:every=${p.every}`;
  }
}

/** What the observable policy carries between updates, as the service's MitigationPolicy does. */
export interface PolicyState {
  /** Updates still forced to the policy's schedule. */
  readonly remaining: number;
  /** Updates replayed so far that did not diverge (the scan cadence counts these). */
  readonly promoted: number;
}

export const INITIAL_POLICY_STATE: PolicyState = { remaining: 0, promoted: 0 };

export interface RecordedUpdateView {
  readonly version: number;
  readonly step: number;
  /** The schedule the version was trained with. */
  readonly schedule: string;
}

/** The schedule of one replayed update. */
export function scheduleFor(p: ReplayPolicy, u: RecordedUpdateView, state: PolicyState): string {
  switch (p.kind) {
    case 'recorded':
      return u.schedule;
    case 'schedule':
      return p.fromVersion === null || u.version >= p.fromVersion ? p.schedule : u.schedule;
    case 'periodic':
      return u.step > 0 && u.step % p.every === 0 ? p.schedule : u.schedule;
    case 'scan-stlr':
      return state.remaining > 0 ? p.schedule : u.schedule;
  }
}

/**
 * After an update: a promoted one uses up a forced update; the policy then asks for a scan
 * on its cadence (the live loop scans after the promotion, services/loop/live-loop.ts).
 */
export function afterUpdate(
  p: ReplayPolicy,
  state: PolicyState,
  promoted: boolean,
): { state: PolicyState; scan: boolean } {
  if (!promoted) return { state, scan: false };
  const next = { remaining: Math.max(0, state.remaining - 1), promoted: state.promoted + 1 };
  return { state: next, scan: p.kind === 'scan-stlr' && next.promoted % p.every === 0 };
}

/** A flag (re)starts the forced updates; a clean scan changes nothing. */
export function afterScan(p: ReplayPolicy, state: PolicyState, flagged: boolean): PolicyState {
  if (p.kind !== 'scan-stlr' || !flagged) return state;
  return { ...state, remaining: p.updates };
}
