import { z } from 'zod';

/** Learning-rate schedules, as pure functions of the optimiser step. */
export type ScheduleSpec =
  | { readonly kind: 'constant'; readonly lr: number }
  | { readonly kind: 'stlr'; readonly maxLr: number; readonly cut: number };

export const scheduleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('constant'), lr: z.number().positive().max(10) }),
  z.object({
    kind: z.literal('stlr'),
    maxLr: z.number().positive().max(10),
    cut: z.number().gt(0).lt(1).default(0.1),
  }),
]);

/**
 * Slanted triangular learning rate (Howard & Ruder 2018), per step: rises linearly from 0
 * to `maxLr` over the first `cut` share of the steps, then falls linearly to 0 at the last.
 * Step indices are 0-based; step 0 gets a small positive rate so no step is wasted.
 */
export function stlr(maxLr: number, cut: number, step: number, totalSteps: number): number {
  if (totalSteps <= 1) return maxLr;
  const peak = Math.max(1, Math.floor(cut * totalSteps));
  const t = step + 1;
  if (t <= peak) return (maxLr * t) / peak;
  const last = totalSteps;
  return (maxLr * (last - t)) / Math.max(1, last - peak);
}

export function learningRate(spec: ScheduleSpec, step: number, totalSteps: number): number {
  return spec.kind === 'constant' ? spec.lr : stlr(spec.maxLr, spec.cut, step, totalSteps);
}

/** A plain decimal number (no hex, no whitespace, no trailing text: Number() accepts all three). */
const DECIMAL = /^[+]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** "sgd:0.01" (constant), "stlr:0.5" or "stlr:0.5:0.2" (max lr, cut); nothing else. */
export function parseSchedule(text: string): ScheduleSpec {
  const [kind, ...args] = text.trim().split(':');
  const num = (s: string | undefined, what: string): number => {
    const v = Number(s);
    if (s === undefined || !DECIMAL.test(s) || !Number.isFinite(v)) {
      throw new Error(`schedule '${text}': ${what} must be a number`);
    }
    return v;
  };
  const arity = kind === 'stlr' ? 2 : 1;
  if (args.length > arity)
    throw new Error(`schedule '${text}': expected at most ${arity} number(s) after '${kind}:'`);
  const [a, b] = args;
  const raw =
    kind === 'sgd' || kind === 'constant'
      ? { kind: 'constant', lr: num(a, 'learning rate') }
      : kind === 'stlr'
        ? { kind: 'stlr', maxLr: num(a, 'max learning rate'), cut: b === undefined ? 0.1 : num(b, 'cut') }
        : undefined;
  if (!raw) throw new Error(`unknown schedule '${text}': use sgd:<lr> or stlr:<max lr>[:<cut>]`);
  const parsed = scheduleSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`schedule '${text}': ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** The short label of plot titles and defense tables: "SGD 0.01", "STLR 0.5". */
export function scheduleLabel(spec: ScheduleSpec): string {
  return spec.kind === 'constant' ? `SGD ${spec.lr}` : `STLR ${spec.maxLr}`;
}

export function describeSchedule(spec: ScheduleSpec): string {
  return spec.kind === 'constant' ? `sgd:${spec.lr}` : `stlr:${spec.maxLr}:${spec.cut}`;
}
