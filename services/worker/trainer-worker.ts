/**
 * The training worker's entry point: dispatches protocol requests to a Simulation, one at
 * a time, and streams training progress. Everything heavy happens here, off the event loop.
 */
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import { loadBackend } from '../../sim/backend/loader.ts';
import type { TrainProgress } from '../../sim/train/trainer.ts';
import type { WorkerRequest, WorkerResponse } from './protocol.ts';
import { scanModel } from './scan.ts';
import { Simulation } from './simulation.ts';

if (!parentPort) throw new Error('trainer-worker must run in a worker thread');
const port = parentPort;
// On Linux the nice value is per thread and pid 0 means the calling thread: training yields
// the CPU to the event loop thread, which serves /predict. Elsewhere this may renice the
// whole process or fail; either is harmless.
try {
  setPriority(0, 10);
} catch {
  // Not permitted here: training keeps the default priority.
}
let sim: Simulation | undefined;
let backend = '';
let queue: Promise<void> = Promise.resolve();

function need(): Simulation {
  if (!sim) throw new Error('worker is not set up');
  return sim;
}

async function handle(req: WorkerRequest): Promise<{ result: unknown; transfer: ArrayBuffer[] }> {
  const progress = (p: TrainProgress) =>
    port.postMessage({ type: 'progress', id: req.id, ...p } satisfies WorkerResponse);
  switch (req.type) {
    case 'setup': {
      backend = (await loadBackend({ log: () => undefined })).name;
      sim = new Simulation(req.setup);
      return { result: { ...sim.shape, backend }, transfer: [] };
    }
    case 'trainInitial': {
      const r = await need().trainInitial(req.training, req.poison, req.triggers, progress);
      return { result: r, transfer: [r.model.buffer as ArrayBuffer] };
    }
    case 'update': {
      const r = await need().update(req.base, req.step, req.training, req.poison, req.triggers, progress);
      return { result: r, transfer: [r.model.buffer as ArrayBuffer] };
    }
    case 'evaluate':
      return { result: await need().evaluate(req.model, req.step, req.triggers), transfer: [] };
    case 'scan':
      return { result: await scanModel(need(), req.model, req.step), transfer: [] };
  }
}

port.on('message', (req: WorkerRequest) => {
  // One request at a time: tfjs state and the CPU are shared.
  queue = queue.then(async () => {
    try {
      const { result, transfer } = await handle(req);
      port.postMessage({ type: 'result', id: req.id, result } satisfies WorkerResponse, transfer);
    } catch (err) {
      port.postMessage({
        type: 'error',
        id: req.id,
        message: (err as Error).message,
      } satisfies WorkerResponse);
    }
  });
});
