import { Worker } from 'node:worker_threads';

/** Starts a worker thread running a TypeScript module (through tsx, see worker-entry.mjs). */
export function startTsWorker(entry: URL, workerData: Record<string, unknown>): Worker {
  return new Worker(new URL('./worker-entry.mjs', import.meta.url), {
    workerData: { ...workerData, entry: entry.href },
  });
}
