/** zod schemas of every request body and parameter; nothing unvalidated reaches the loop. */
import { z } from 'zod';
import { attackKindSchema } from '../../sim/attacks/index.ts';
import { scheduleString } from '../config.ts';
import { triggerSpecSchema } from '../loop/campaigns.ts';
import { aliasNameSchema, tagKeySchema, tagValueSchema } from '../../sim/models/registry-aliases.ts';

export const versionParam = z.object({ version: z.coerce.number().int().positive().max(1e9) }).strict();
export const campaignParam = z
  .object({ id: z.string().regex(/^c[0-9a-f]{8}$/, 'not a campaign id') })
  .strict();

export const replayParam = z
  .object({ id: z.string().regex(/^r[0-9a-f]{8}$/, 'not a replay job id') })
  .strict();

const trigger = triggerSpecSchema;

/**
 * Trigger parameters by name. A JSON `__proto__` key is an own key of the parsed body that a
 * record would drop silently (assigning it sets the prototype): refused like any unknown key.
 */
const triggerParams = z
  .custom<unknown>(
    (v) => typeof v !== 'object' || v === null || !Object.hasOwn(v, '__proto__'),
    "Unrecognized key(s) in object: '__proto__'",
  )
  .pipe(z.record(z.string(), z.number()));

export const poisonBody = z
  .object({
    attack: attackKindSchema,
    /** Trigger parameters of the attack: size (badnets), alpha (blend), strength (wanet). */
    trigger: triggerParams.optional(),
    ratio: z.number().gt(0).max(0.5).default(0.1),
    target: z.number().int().min(0).max(9).default(0),
    mode: z.enum(['one-shot', 'persistent']).default('one-shot'),
    cycles: z.number().int().min(1).max(100).optional(),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.mode === 'one-shot' && b.cycles !== undefined && b.cycles !== 1) {
      ctx.addIssue({
        code: z.ZodIssueCode.custom,
        path: ['cycles'],
        message: 'one-shot poisons exactly 1 cycle',
      });
    }
    const t = trigger.safeParse({ kind: b.attack, ...b.trigger });
    if (!t.success) {
      for (const issue of t.error.issues) {
        ctx.addIssue({ ...issue, path: ['trigger', ...issue.path] });
      }
    }
  })
  .transform((b) => ({
    trigger: trigger.parse({ kind: b.attack, ...b.trigger }),
    ratio: b.ratio,
    target: b.target,
    mode: b.mode,
    cycles: b.mode === 'one-shot' ? 1 : (b.cycles ?? 5),
  }));

export const scheduleBody = z.object({ schedule: scheduleString }).strict();
const versionNumber = z.number().int().positive().max(1e9);
/** A version number, or a reference to one: `v3`, `previous`, `live@champion`, `live@v3`. */
export const rollbackBody = z
  .object({
    version: z.union([
      versionNumber,
      z.string().min(1).max(100).describe('v<N>, an alias, or <name>@v<N> / <name>@<alias>'),
    ]),
  })
  .strict();

export const aliasParam = z.object({ alias: aliasNameSchema }).strict();
export const aliasBody = z.object({ version: versionNumber }).strict();
export const tagParams = z
  .object({ version: z.coerce.number().int().positive().max(1e9), key: tagKeySchema })
  .strict();
export const tagBody = z.object({ value: tagValueSchema }).strict();
export const emptyBody = z.union([z.undefined(), z.object({}).strict()]);

/** /predict: a 28x28 image as nested rows or a flat array, values in [0, 1] (or 0-255 with scale). */
export const predictBody = z
  .object({
    image: z.union([
      z.array(z.number().finite()).min(1).max(4096),
      z.array(z.array(z.number().finite()).min(1).max(64)).min(1).max(64),
    ]),
    scale: z.enum(['unit', '255']).default('unit'),
  })
  .strict();

export const noQuery = z.object({}).strict();

/** GET /api/models paging: `cursor` is the `nextCursor` of the previous page. */
export const MODELS_PAGE_MAX = 500;
export const modelsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(MODELS_PAGE_MAX).default(100),
    cursor: z.coerce.number().int().positive().max(1e9).optional(),
  })
  .strict();
