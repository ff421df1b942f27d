// One replay in a worker thread with its own backend instance (see replay-thread.ts).
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { loadBackend } from '../backend/loader.ts';
import { replay } from './engine.ts';
import { parseReplayPolicy } from './policy.ts';
import type { ReplayJob, ReplayMessage } from './replay-thread.ts';

const port = parentPort;
if (!port) throw new Error('replay-worker must run in a worker thread');
const { job } = workerData as { job: ReplayJob };
const post = (message: ReplayMessage) => port.postMessage(message);
if (job.nice !== undefined) {
  try {
    // On Linux pid 0 is the calling thread: only this replay yields the CPU.
    setPriority(0, job.nice);
  } catch {
    // Not permitted here: the replay keeps the default priority.
  }
}
try {
  const backend = await loadBackend({ backend: job.backend, log: () => undefined });
  const result = await replay(
    { name: job.history.name, versions: job.history.versions, bases: new Map(job.history.bases) },
    {
      policy: parseReplayPolicy(job.policy),
      backend: backend.name,
      campaign: job.campaign,
      gamma: job.gamma,
      onProgress: (progress) => post({ kind: 'progress', progress }),
    },
  );
  post({ kind: 'done', result });
} catch (error) {
  post({ kind: 'error', message: (error as Error).message });
}
