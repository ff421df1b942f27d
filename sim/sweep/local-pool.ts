import type { BackendName } from '../backend/loader.ts';
import { runOrder, type RunOrderOptions, type SweepJob } from './plan.ts';
import { experimentSteps } from '../experiment/steps.ts';
import type { ProgressView } from './progress.ts';
import { processName, runJob } from './run-job.ts';
import { saveJobError } from './store.ts';

/**
 * Splits the cores between jobs running at once: each job's native convolutions use OpenMP
 * on every core by default, so two jobs on two cores would run four threads (the backend
 * measured oversubscribed OpenMP 2-4x slower). Must run before the backend loads; an
 * explicit PERMANENCE_THREADS wins.
 */
export function shareCores(lanes: number, cores: number, env: NodeJS.ProcessEnv = process.env): void {
  if (lanes > 1 && !env.PERMANENCE_THREADS)
    env.PERMANENCE_THREADS = String(Math.max(1, Math.floor(cores / lanes)));
}

export interface LocalPoolOptions extends RunOrderOptions {
  readonly dir: string;
  /** Jobs run at once, each in its own worker thread (default: the number of cores). */
  readonly lanes: number;
  readonly backend: BackendName;
  readonly view?: ProgressView;
  /** Called after each job, e.g. to rewrite the index. */
  readonly onJobDone?: (job: SweepJob, ok: boolean) => Promise<void>;
}

export interface LocalPoolSummary {
  readonly ran: number;
  readonly failed: readonly { id: string; message: string }[];
  readonly seconds: number;
}

/**
 * Runs jobs on `lanes` worker threads in `runOrder` (one job per distinct F0 first, longest
 * first). A failed job (e.g. training diverged) is recorded in its folder and the sweep
 * goes on; rerunning the sweep retries it.
 */
export async function runLocal(
  jobs: readonly SweepJob[],
  options: LocalPoolOptions,
): Promise<LocalPoolSummary> {
  const started = performance.now();
  const queue = runOrder(jobs, (j) => experimentSteps(j.config), options);
  const failed: { id: string; message: string }[] = [];
  let ran = 0;
  const lane = async (): Promise<void> => {
    for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
      options.view?.onStart(job.id);
      const t0 = performance.now();
      let ok = true;
      try {
        const id = job.id;
        await runJob(job, {
          dir: options.dir,
          backend: options.backend,
          onEvent: (e) => options.view?.onEvent(id, e),
        });
        ran++;
      } catch (error) {
        ok = false;
        const message = (error as Error).message;
        failed.push({ id: job.id, message });
        await saveJobError(options.dir, job.id, { message, worker: processName(), attempt: 1 });
      }
      options.view?.onFinish(job.id, ok, `in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      await options.onJobDone?.(job, ok);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.lanes, jobs.length)) }, lane));
  return { ran, failed, seconds: (performance.now() - started) / 1000 };
}
