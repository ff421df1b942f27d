// One replay in a worker thread with its own backend instance (see replay-thread.ts).
import { setPriority } from 'node:os';
import { loadBackend } from '../backend/loader.ts';
import { serveThreadTask } from '../thread-task.ts';
import { replay, type ReplayProgress, type ReplayResult } from './engine.ts';
import { parseReplayPolicy } from './policy.ts';
import type { ReplayJob } from './replay-thread.ts';

await serveThreadTask<{ job: ReplayJob }, ReplayResult, ReplayProgress>(async ({ job }, onProgress) => {
  if (job.nice !== undefined) {
    try {
      // On Linux pid 0 is the calling thread: only this replay yields the CPU.
      setPriority(0, job.nice);
    } catch {
      // Not permitted here: the replay keeps the default priority.
    }
  }
  const backend = await loadBackend({ backend: job.backend, log: () => undefined });
  return replay(
    { name: job.history.name, versions: job.history.versions, bases: new Map(job.history.bases) },
    {
      policy: parseReplayPolicy(job.policy),
      backend: backend.name,
      campaign: job.campaign,
      gamma: job.gamma,
      onProgress,
    },
  );
});
