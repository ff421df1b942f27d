import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { ExperimentEvent } from '../experiment/runner.ts';
import { experimentSteps } from '../experiment/steps.ts';
import { firstJobPerF0, type SweepJob } from './plan.ts';

/**
 * Progress of a whole sweep: jobs done out of the total and an ETA from the optimiser steps
 * done so far, plus the model and step of each running job. Pure bookkeeping; `render`
 * chooses bars (TTY) or lines (CI logs).
 */
export class SweepTracker {
  private readonly started = Date.now();
  private readonly steps = new Map<string, number>();
  /** Per running job: current model, its step and total, and the steps of its earlier models. */
  private readonly running = new Map<
    string,
    { model: number; step: number; total: number; before: number }
  >();
  private stepsDone = 0;
  private stepsTotal = 0;
  done = 0;
  failed = 0;

  constructor(
    readonly total: number,
    pending: readonly SweepJob[],
  ) {
    // Only the first job of each F0 trains it; the others load it from the sweep's F0 cache.
    const trainsF0 = firstJobPerF0(pending);
    for (const job of pending) {
      const s = experimentSteps(job.config, trainsF0.has(job.id));
      this.steps.set(job.id, s);
      this.stepsTotal += s;
    }
    this.done = total - pending.length;
  }

  start(id: string): void {
    this.running.set(id, { model: 0, step: 0, total: 0, before: 0 });
  }

  event(id: string, event: ExperimentEvent): void {
    const job = this.running.get(id);
    if (!job) return;
    if (event.type === 'train:start') {
      this.running.set(id, {
        model: event.index,
        step: 0,
        total: event.totalSteps,
        before: job.before + job.total,
      });
    } else if (event.type === 'train:progress') job.step = event.progress.step;
  }

  finish(id: string, ok: boolean): void {
    this.running.delete(id);
    this.stepsDone += this.steps.get(id) ?? 0;
    if (ok) this.done++;
    else this.failed++;
  }

  /** Seconds left, from the pace of the steps done in this process; null before any. */
  eta(): number | null {
    const elapsed = (Date.now() - this.started) / 1000;
    let done = this.stepsDone;
    for (const [id, job] of this.running) done += Math.min(job.before + job.step, this.steps.get(id) ?? 0);
    if (done <= 0 || elapsed < 1) return null;
    return (elapsed * Math.max(0, this.stepsTotal - done)) / done;
  }

  runningJobs(): { id: string; model: number; step: number; total: number }[] {
    return [...this.running].map(([id, j]) => ({ id, model: j.model, step: j.step, total: j.total }));
  }
}

export function formatSeconds(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '?';
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}

export interface ProgressView {
  onStart(id: string): void;
  onEvent(id: string, event: ExperimentEvent): void;
  onFinish(id: string, ok: boolean, detail: string): void;
  stop(): void;
}

/** Bars on a TTY (one for the sweep, one per running job), one line per job event otherwise. */
export function progressView(
  tracker: SweepTracker,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressView {
  if (!stream.isTTY) {
    const line = (text: string): void => void stream.write(`${text}\n`);
    return {
      onStart: (id) => {
        tracker.start(id);
        line(`[${tracker.done}/${tracker.total}] start ${id}`);
      },
      onEvent: (id, event) => {
        tracker.event(id, event);
        if (event.type === 'model:evaluated') {
          const r = event.record;
          line(
            `  ${id} F${r.index}: acc=${r.cleanAccuracy.toFixed(3)}${r.asr === null ? '' : ` asr=${r.asr.toFixed(3)}`}`,
          );
        }
      },
      onFinish: (id, ok, detail) => {
        tracker.finish(id, ok);
        line(
          `[${tracker.done}/${tracker.total}] ${ok ? 'done' : 'FAILED'} ${id} ${detail}; ETA ${formatSeconds(tracker.eta())}`,
        );
      },
      stop: () => undefined,
    };
  }
  const multi = new MultiBar(
    { format: ' {name} {bar} {value}/{total} {detail}', stream, hideCursor: true, clearOnComplete: false },
    Presets.shades_classic,
  );
  const sweepBar = multi.create(tracker.total, tracker.done, { name: 'sweep'.padEnd(18), detail: 'jobs' });
  const bars = new Map<string, SingleBar>();
  const refresh = (): void => {
    sweepBar.update(tracker.done, {
      detail: `jobs (${tracker.failed} failed) | ETA ${formatSeconds(tracker.eta())}`,
    });
  };
  return {
    onStart: (id) => {
      tracker.start(id);
      bars.set(id, multi.create(1, 0, { name: id.padEnd(18), detail: 'F0' }));
    },
    onEvent: (id, event) => {
      tracker.event(id, event);
      const bar = bars.get(id);
      if (bar && (event.type === 'train:progress' || event.type === 'train:start')) {
        const job = tracker.runningJobs().find((j) => j.id === id);
        if (job) {
          bar.setTotal(Math.max(1, job.total));
          bar.update(job.step, { detail: `F${job.model} steps` });
        }
      }
      refresh();
    },
    onFinish: (id, ok) => {
      tracker.finish(id, ok);
      const bar = bars.get(id);
      if (bar) multi.remove(bar);
      bars.delete(id);
      refresh();
    },
    stop: () => multi.stop(),
  };
}
