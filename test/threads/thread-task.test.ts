import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runInThread, TaskFailedError } from '../../sim/thread-task.ts';
import type { TaskWorkerData } from './task-worker.ts';

const worker = new URL('./task-worker.ts', import.meta.url);
const run = (
  data: TaskWorkerData,
  options: { onProgress?: (p: number) => void; signal?: AbortSignal } = {},
) => runInThread<number, number>(worker, { ...data }, { label: 'task 7', ...options });

test('relays progress in order, then resolves with the answer', async () => {
  const seen: number[] = [];
  const answer = await run({ mode: 'answer', steps: 4 }, { onProgress: (p) => seen.push(p) });
  assert.equal(answer, 40);
  assert.deepEqual(seen, [1, 2, 3, 4]);
});

test('a task that throws rejects with TaskFailedError and its message', async () => {
  const error = await run({ mode: 'throw', steps: 1 }).then(
    () => assert.fail('resolved'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof TaskFailedError);
  assert.equal((error as Error).message, 'training diverged at step 3');
});

test('a thread that exits without answering rejects with a plain Error naming the task', async () => {
  const error = await run({ mode: 'exit', steps: 0 }).then(
    () => assert.fail('resolved'),
    (e: unknown) => e,
  );
  assert.ok(error instanceof Error && !(error instanceof TaskFailedError));
  assert.equal(error.message, 'task 7: thread exited with code 3');
});

test('an abort rejects with its reason and ends the thread', async () => {
  const controller = new AbortController();
  const pending = run(
    { mode: 'hang', steps: 1 },
    {
      signal: controller.signal,
      onProgress: () => controller.abort(new Error('stop now')),
    },
  );
  await assert.rejects(pending, /stop now/);
});

test('an already aborted signal rejects at once', async () => {
  const controller = new AbortController();
  controller.abort(new Error('too late'));
  await assert.rejects(run({ mode: 'answer', steps: 1 }, { signal: controller.signal }), /too late/);
});
