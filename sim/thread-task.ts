/**
 * One task in a worker thread with its own backend, both halves: `runInThread` starts the
 * worker and settles once (on its answer, its error, its exit or an abort), relaying progress;
 * `serveThreadTask` is the worker's side. Seeds (`permanence run --jobs`, sweeps) and replays
 * (`permanence replay --compare`, the service's replay jobs) run this way.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { startTsWorker } from './ts-worker.ts';

/** What a task's worker posts: progress any number of times, then one answer. */
export type ThreadTaskMessage<Result, Progress> =
  | { kind: 'progress'; progress: Progress }
  | { kind: 'done'; result: Result }
  | { kind: 'error'; message: string };

/** The task itself threw in the thread (e.g. training diverged); a crashed thread is a plain Error. */
export class TaskFailedError extends Error {}

export interface ThreadTaskOptions<Progress> {
  /** Names the task in the error of a thread that exits without answering, e.g. "seed 2". */
  readonly label: string;
  readonly onProgress?: (progress: Progress) => void;
  readonly signal?: AbortSignal;
}

/** Runs the worker module `entry` on `data` (plain data: it crosses the thread boundary). */
export function runInThread<Result, Progress>(
  entry: URL,
  data: Record<string, unknown>,
  options: ThreadTaskOptions<Progress>,
): Promise<Result> {
  const aborted = (): unknown => options.signal?.reason ?? new Error(`${options.label}: aborted`);
  // Already aborted: answer at once, without starting a thread only to end it.
  if (options.signal?.aborted) return Promise.reject(aborted());
  return new Promise((resolve, reject) => {
    const thread = startTsWorker(entry, data);
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', abort);
      fn();
      void thread.terminate();
    };
    const abort = () => settle(() => reject(aborted()));
    options.signal?.addEventListener('abort', abort, { once: true });
    thread.on('message', (m: ThreadTaskMessage<Result, Progress>) => {
      if (m.kind === 'progress') options.onProgress?.(m.progress);
      else if (m.kind === 'done') settle(() => resolve(m.result));
      else settle(() => reject(new TaskFailedError(m.message)));
    });
    thread.on('error', (error) => settle(() => reject(error)));
    thread.on('exit', (code) =>
      settle(() => reject(new Error(`${options.label}: thread exited with code ${code}`))),
    );
  });
}

/**
 * The worker's side: runs `task` on the thread's data and posts its progress and its answer
 * (or its error's message) to the parent.
 */
export async function serveThreadTask<Data, Result, Progress>(
  task: (data: Data, progress: (p: Progress) => void) => Promise<Result>,
): Promise<void> {
  const port = parentPort;
  if (!port) throw new Error('a thread task must run in a worker thread (see runInThread)');
  const post = (message: ThreadTaskMessage<Result, Progress>) => port.postMessage(message);
  try {
    const result = await task(workerData as Data, (progress) => post({ kind: 'progress', progress }));
    post({ kind: 'done', result });
  } catch (error) {
    post({ kind: 'error', message: (error as Error).message });
  }
}
