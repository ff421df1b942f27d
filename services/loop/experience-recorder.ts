/**
 * Builds the experience record every version carries (sim/replay/record.ts): the service's
 * drift stream settings, the update's training and campaigns, the scan budget, the backend
 * and the code version. The cycle writes it in the same atomic version write as the model.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { batchRecipes, type ExperienceRecord } from '../../sim/replay/record.ts';
import type { ServiceConfig } from '../config.ts';
import type { KnownTrigger, PoisonOrder } from '../worker/protocol.ts';

/** What does not change between cycles: the configuration, the backend, the code. */
export interface RecordContext {
  config: Pick<
    ServiceConfig,
    | 'DATASET'
    | 'SEED'
    | 'DRIFT'
    | 'POOL_SUBSET'
    | 'EVAL_SUBSET'
    | 'MODEL_ARCH'
    | 'SCAN_DEFENSE'
    | 'SCAN_SUBSET'
    | 'SCAN_MAX_EPOCHS'
  >;
  backend: string;
  code: ExperienceRecord['code'];
}

export interface RecordedUpdate {
  kind: ExperienceRecord['kind'];
  parentVersion: number | null;
  step: number;
  epochs: number;
  batchSize: number;
  /** Normalised schedule string (describeSchedule). */
  schedule: string;
  poison: readonly PoisonOrder[];
  triggers: readonly KnownTrigger[];
}

export function experienceRecord(ctx: RecordContext, u: RecordedUpdate): ExperienceRecord {
  const c = ctx.config;
  return {
    format: 1,
    kind: u.kind,
    parentVersion: u.parentVersion,
    step: u.step,
    data: {
      dataset: c.DATASET,
      seed: c.SEED,
      drift: c.DRIFT,
      poolSubset: c.POOL_SUBSET,
      evalSubset: c.EVAL_SUBSET,
    },
    batches: batchRecipes(c.SEED, u.step),
    model: { arch: c.MODEL_ARCH },
    training: { epochs: u.epochs, batchSize: u.batchSize, schedule: u.schedule },
    poison: u.poison.map((p) => ({
      campaign: p.campaign,
      trigger: p.trigger,
      target: p.target,
      seed: p.seed,
      ratio: p.ratio,
    })),
    probes: u.triggers.map((t) => ({
      campaign: t.campaign,
      trigger: t.trigger,
      target: t.target,
      seed: t.seed,
    })),
    scan: { defense: c.SCAN_DEFENSE, subset: c.SCAN_SUBSET, maxEpochs: c.SCAN_MAX_EPOCHS },
    backend: ctx.backend,
    code: ctx.code,
  };
}

const GIT_TIMEOUT_MS = 5000;

/** package.json's version and, in a git checkout, the commit (null elsewhere, e.g. in the image). */
export function codeVersion(): ExperienceRecord['code'] {
  const root = new URL('../../', import.meta.url);
  const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string };
  let commit: string | null = null;
  try {
    // Synchronous and run before the server listens: bounded, so a git that waits on
    // anything (a hook, a credential helper, a hung mount) cannot keep the service from
    // ever listening.
    commit = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: GIT_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    })
      .toString()
      .trim();
  } catch {
    // Not a git checkout (or no git): the package version alone identifies the code.
  }
  return { version, commit: commit && /^[0-9a-f]{40}$/.test(commit) ? commit : null };
}
