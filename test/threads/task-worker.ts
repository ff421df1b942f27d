// A thread task for thread-task.test.ts: what it does is chosen by its data.
import { serveThreadTask } from '../../sim/thread-task.ts';

export interface TaskWorkerData {
  readonly mode: 'answer' | 'throw' | 'exit' | 'hang';
  readonly steps: number;
}

await serveThreadTask<TaskWorkerData, number, number>(async ({ mode, steps }, progress) => {
  for (let i = 1; i <= steps; i++) progress(i);
  if (mode === 'throw') throw new Error('training diverged at step 3');
  if (mode === 'exit') process.exit(3);
  if (mode === 'hang') await new Promise(() => setInterval(() => undefined, 1000));
  return steps * 10;
});
