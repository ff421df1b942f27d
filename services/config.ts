/**
 * The service's configuration: every environment variable it reads is listed in ENV_VARS
 * (docker-compose and the docs are checked against this list) and validated with zod once,
 * at start, so a typo fails loudly instead of silently falling back to a default.
 */
import cron from 'node-cron';
import { z } from 'zod';
import { defenseNameSchema } from '../sim/defenses/registry.ts';
import { parseDrift } from '../sim/drift/index.ts';
import { architectureSchema } from '../sim/models/index.ts';
import { describeSchedule, parseSchedule } from '../sim/train/schedules.ts';

/** Every environment variable the service reads, with a one-line description. */
export const ENV_VARS = {
  PORT: 'HTTP port (default 8080)',
  HOST: 'interface to bind (default 0.0.0.0)',
  DATA_DIR: 'folder of the filesystem registry and local state (default ./data)',
  LOG_LEVEL: 'pino level: fatal|error|warn|info|debug|trace|silent (default info)',
  CYCLE_CRON: 'node-cron expression (6 fields, seconds first); overrides CYCLE_INTERVAL_SECONDS',
  CYCLE_INTERVAL_SECONDS:
    'seconds between cycles (default 30); must divide 60 or be a whole number of minutes dividing 60',
  CYCLES_ENABLED: 'false to start with the loop paused (default true)',
  REGISTRY: 'fs (default) or s3',
  MODEL_NAME: 'name of the model in the registry (default live-mnist)',
  S3_ENDPOINT: 'S3/MinIO host name (default localhost)',
  S3_PORT: 'S3/MinIO port (default 9000)',
  S3_USE_SSL: 'true for https (default false)',
  S3_ACCESS_KEY: 'S3 access key (required when REGISTRY=s3)',
  S3_SECRET_KEY: 'S3 secret key (required when REGISTRY=s3)',
  S3_BUCKET: 'bucket of the registry (default permanence), created if missing',
  S3_REGION: 'S3 region (default us-east-1)',
  ADMIN_TOKEN: 'bearer token of /admin/*; generated and printed once when unset',
  ALERT_WEBHOOK_TOKEN: 'bearer token of /hooks/alertmanager (default: the admin token)',
  SEED: 'seed of the data split, model init and batch order (default 1)',
  DATASET: 'data set of the live loop: mnist (the only one for now)',
  MODEL_ARCH: 'model architecture (default small-cnn)',
  DRIFT: 'drift per update, e.g. rotate:4 (default rotate:4)',
  SCHEDULE: 'initial update schedule, sgd:<lr> or stlr:<max lr> (default sgd:0.03)',
  POOL_SUBSET: 'images of the drift pool drawn per update (default 1000)',
  UPDATE_EPOCHS: 'epochs per update (default 3)',
  UPDATE_BATCH_SIZE: 'batch size of updates (default 64)',
  F0_EPOCHS: 'epochs of the first model trained on D0 at first start (default 2)',
  F0_BATCH_SIZE: 'batch size of F0 (default 64)',
  F0_SCHEDULE: 'schedule of F0 (default stlr:0.5)',
  EVAL_SUBSET: 'test images used per evaluation (default 1000)',
  SCAN_EVERY: 'run a Neural Cleanse scan every N promoted updates; 0 = never (default 5)',
  SCAN_SUBSET: 'clean images given to a scan (default 200)',
  SCAN_DEFENSE: 'defense of scans: nc (Neural Cleanse, default) or tabor',
  SCAN_MAX_EPOCHS: 'passes over the scan images per label at most (default 5)',
  DIVERGENCE_ACCURACY_DROP: 'reject an update whose clean accuracy falls by more than this (default 0.3)',
  POLICY: 'auto-mitigation policy: off (default) or scan-stlr',
  POLICY_STLR_UPDATES: 'updates forced to STLR after a scan flags the model (default 2)',
  POLICY_STLR_SCHEDULE: 'schedule the policy forces (default stlr:0.5)',
  MAX_CAMPAIGNS: 'poison campaigns kept (bounds metric labels; default 20)',
  PERMANENCE_BACKEND: 'tensorflow.js backend: cpu or wasm (read by sim/backend)',
  RATE_LIMIT_PER_MINUTE: 'requests per client and minute to /predict and /api/* (default 6000); 0 = no limit',
  RETAIN_RECENT:
    'model versions kept besides the promoted, pointer-history and campaign ones (default 500); 0 = keep all',
} as const;

export type EnvVarName = keyof typeof ENV_VARS;

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const ratio = z.coerce.number().min(0).max(1);

/** A schedule string as sim/train parses it (sgd:<lr>, stlr:<max lr>[:<cut>]), normalised. */
export const scheduleString = z
  .string()
  .trim()
  .max(64)
  .transform((s, ctx) => {
    try {
      return describeSchedule(parseSchedule(s.toLowerCase()));
    } catch (err) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message });
      return z.NEVER;
    }
  });

const envSchema = z.object({
  PORT: int(0, 65535).default(8080),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CYCLE_CRON: z
    .string()
    .refine((s) => cron.validate(s), 'not a valid node-cron expression')
    .optional(),
  CYCLE_INTERVAL_SECONDS: int(1, 3600).default(30),
  CYCLES_ENABLED: bool.default('true'),
  REGISTRY: z.enum(['fs', 's3']).default('fs'),
  MODEL_NAME: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/)
    .default('live-mnist'),
  S3_ENDPOINT: z.string().min(1).default('localhost'),
  S3_PORT: int(1, 65535).default(9000),
  S3_USE_SSL: bool.default('false'),
  S3_ACCESS_KEY: z.string().optional(),
  S3_SECRET_KEY: z.string().optional(),
  S3_BUCKET: z.string().min(3).max(63).default('permanence'),
  S3_REGION: z.string().min(1).default('us-east-1'),
  ADMIN_TOKEN: z.string().min(16, 'ADMIN_TOKEN must have at least 16 characters').optional(),
  ALERT_WEBHOOK_TOKEN: z.string().min(16, 'ALERT_WEBHOOK_TOKEN must have at least 16 characters').optional(),
  SEED: int(0, 2 ** 31).default(1),
  DATASET: z.enum(['mnist']).default('mnist'),
  MODEL_ARCH: architectureSchema.default('small-cnn'),
  DRIFT: z
    .string()
    .min(1)
    .default('rotate:4')
    .superRefine((s, ctx) => {
      try {
        parseDrift(s);
      } catch (err) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: (err as Error).message });
      }
    }),
  SCHEDULE: scheduleString.default('sgd:0.03'),
  POOL_SUBSET: int(16, 100_000).default(1000),
  UPDATE_EPOCHS: int(1, 50).default(3),
  UPDATE_BATCH_SIZE: int(1, 4096).default(64),
  F0_EPOCHS: int(1, 100).default(2),
  F0_BATCH_SIZE: int(1, 4096).default(64),
  F0_SCHEDULE: scheduleString.default('stlr:0.5'),
  EVAL_SUBSET: int(10, 100_000).default(1000),
  // On by default at a cost that keeps cycles live on 2 cores: a scan of 200 images for at
  // most 5 epochs took 17-22 s under load 15 (docs/service.md, bench/live-scan.ts), so a
  // scan every 5 updates fits in the 30 s cycle interval with the cycle itself.
  SCAN_EVERY: int(0, 10_000).default(5),
  SCAN_SUBSET: int(10, 10_000).default(200),
  SCAN_DEFENSE: defenseNameSchema.default('nc'),
  SCAN_MAX_EPOCHS: int(1, 200).default(5),
  DIVERGENCE_ACCURACY_DROP: ratio.default(0.3),
  POLICY: z.enum(['off', 'scan-stlr']).default('off'),
  POLICY_STLR_UPDATES: int(1, 100).default(2),
  POLICY_STLR_SCHEDULE: scheduleString.default('stlr:0.5'),
  MAX_CAMPAIGNS: int(1, 200).default(20),
  PERMANENCE_BACKEND: z.enum(['cpu', 'wasm', 'tensorflow', 'tensorflow-gpu']).optional(),
  RATE_LIMIT_PER_MINUTE: int(0, 1_000_000).default(6000),
  RETAIN_RECENT: int(0, 1_000_000).default(500),
});

export type ServiceConfig = z.infer<typeof envSchema> & {
  /** The cron expression actually used (from CYCLE_CRON or CYCLE_INTERVAL_SECONDS). */
  cycleCron: string;
  /** Seconds between two ticks, as exported by the cycle-interval gauge. */
  cycleIntervalSeconds: number;
};

export class ConfigError extends Error {}

/** A 6-field cron expression for an interval that node-cron can express exactly. */
export function intervalToCron(seconds: number): string {
  if (seconds < 60 && 60 % seconds === 0) return `*/${seconds} * * * * *`;
  if (seconds % 60 === 0 && 60 % (seconds / 60) === 0) return `0 */${seconds / 60} * * * *`;
  throw new ConfigError(
    `CYCLE_INTERVAL_SECONDS=${seconds} cannot be expressed as a cron step; use a divisor of 60 s or of 60 min, or CYCLE_CRON`,
  );
}

/** Seconds between the next two runs of a cron expression (for the interval gauge). */
function cronPeriodSeconds(expression: string): number {
  const task = cron.createTask(expression, () => undefined);
  const [a, b] = task.getNextRuns(2);
  void task.destroy();
  return a && b ? Math.round((b.getTime() - a.getTime()) / 1000) : 0;
}

/** Reads only the variables of ENV_VARS; empty strings count as unset. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(ENV_VARS)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const parsed = envSchema.safeParse(picked);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
  }
  const c = parsed.data;
  if (c.REGISTRY === 's3' && (!c.S3_ACCESS_KEY || !c.S3_SECRET_KEY)) {
    throw new ConfigError('invalid configuration: REGISTRY=s3 needs S3_ACCESS_KEY and S3_SECRET_KEY');
  }
  const cycleCron = c.CYCLE_CRON ?? intervalToCron(c.CYCLE_INTERVAL_SECONDS);
  const cycleIntervalSeconds = c.CYCLE_CRON ? cronPeriodSeconds(c.CYCLE_CRON) : c.CYCLE_INTERVAL_SECONDS;
  return { ...c, cycleCron, cycleIntervalSeconds };
}
