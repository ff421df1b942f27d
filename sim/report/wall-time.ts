/**
 * How long a sweep really ran. A sweep that outlives its machine runs in several sittings, on
 * several hosts, with idle gaps between them; neither the first start to the last finish nor
 * the jobs' summed time says how long it took. The union of the jobs' [start, finish]
 * intervals does: the wall time during which at least one job was running. A pause shorter than
 * `maxGapSeconds` (a runner between two jobs, a process restarted at once) is part of the sitting.
 */
/** The longest pause that still belongs to one sitting. */
export const SITTING_GAP_SECONDS = 600;

export interface JobInterval {
  readonly startedAt: string;
  readonly finishedAt: string;
}

export interface WallTime {
  /** Seconds of the sittings: from the first start to the last finish of each. */
  readonly busySeconds: number;
  /** Runs of jobs separated by idle gaps longer than maxGapSeconds. */
  readonly sittings: number;
  readonly firstStart: string | null;
  readonly lastFinish: string | null;
}

export function sweepWallTime(jobs: readonly JobInterval[], maxGapSeconds = SITTING_GAP_SECONDS): WallTime {
  const spans = jobs
    .map((j) => [Date.parse(j.startedAt), Date.parse(j.finishedAt)] as const)
    .filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b) && b >= a)
    .sort((x, y) => x[0] - y[0]);
  if (spans.length === 0) return { busySeconds: 0, sittings: 0, firstStart: null, lastFinish: null };
  let busy = 0;
  let sittings = 1;
  let [start, end] = spans[0]!;
  let last = end;
  for (const [a, b] of spans.slice(1)) {
    if (a - end > maxGapSeconds * 1000) {
      busy += end - start;
      sittings += 1;
      start = a;
      end = b;
    } else end = Math.max(end, b);
    last = Math.max(last, b);
  }
  busy += end - start;
  return {
    busySeconds: busy / 1000,
    sittings,
    firstStart: new Date(spans[0]![0]).toISOString(),
    lastFinish: new Date(last).toISOString(),
  };
}
