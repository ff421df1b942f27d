/**
 * The main thread's handle on the training worker: request/response by id, progress
 * callbacks, and a restart if the worker dies (its pending requests fail, nothing else).
 */
import type { Worker } from 'node:worker_threads';
import { parseDrift } from '../../sim/drift/index.ts';
import { startTsWorker } from '../../sim/ts-worker.ts';
import type { ServiceConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import type {
  KnownTrigger,
  Trainer,
  ModelResult,
  TrainProgressMessage,
  WorkerRequest,
  WorkerResponse,
  WorkerResults,
  WorkerSetup,
} from './protocol.ts';

/** What the worker needs of the service's configuration. */
export function workerSetup(config: ServiceConfig): WorkerSetup {
  return {
    dataset: config.DATASET,
    seed: config.SEED,
    arch: config.MODEL_ARCH,
    drift: parseDrift(config.DRIFT),
    poolSubset: config.POOL_SUBSET,
    evalSubset: config.EVAL_SUBSET,
    scanSubset: config.SCAN_SUBSET,
    scanDefense: config.SCAN_DEFENSE,
    scanMaxEpochs: config.SCAN_MAX_EPOCHS,
  };
}

/** A request made after close(): the service is stopping. */
export class TrainerClosedError extends Error {
  constructor() {
    super('the training worker is stopped');
  }
}

type Pending = {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  onProgress?: (p: TrainProgressMessage) => void;
};

/** Distributes Omit over the request union. */
type Payload<T extends WorkerRequest['type']> = Omit<Extract<WorkerRequest, { type: T }>, 'id' | 'type'>;

export class TrainerClient implements Trainer {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private setupDone: Promise<WorkerResults['setup']> | undefined;
  private closing = false;

  constructor(
    private readonly setup: WorkerSetup,
    private readonly log: Logger,
  ) {}

  /** Starts the worker and loads the data set (once; again after a crash, never after close()). */
  start(): Promise<WorkerResults['setup']> {
    if (this.closing) return Promise.reject(new TrainerClosedError());
    if (!this.setupDone) {
      this.worker ??= this.spawn();
      this.setupDone = this.call('setup', { setup: this.setup });
      this.setupDone.catch(() => (this.setupDone = undefined));
    }
    return this.setupDone;
  }

  trainInitial(
    request: Payload<'trainInitial'>,
    onProgress?: (p: TrainProgressMessage) => void,
  ): Promise<ModelResult> {
    return this.afterSetup(() => this.call('trainInitial', request, onProgress));
  }

  update(request: Payload<'update'>, onProgress?: (p: TrainProgressMessage) => void): Promise<ModelResult> {
    return this.afterSetup(() =>
      this.call('update', request, onProgress, [request.base.buffer as ArrayBuffer]),
    );
  }

  evaluate(model: Uint8Array, step: number, triggers: KnownTrigger[]): Promise<WorkerResults['evaluate']> {
    return this.afterSetup(() => this.call('evaluate', { model: model.slice(), step, triggers }));
  }

  scan(model: Uint8Array, step: number): Promise<WorkerResults['scan']> {
    return this.afterSetup(() => this.call('scan', { model: model.slice(), step }));
  }

  /**
   * Terminates the worker for good: later requests reject. A cycle that was between two
   * awaits when the service stopped used to start a fresh worker here, which nothing
   * terminated: the process then never exited (server closed, the worker idle waiting for
   * a message).
   */
  async close(): Promise<void> {
    this.closing = true;
    const w = this.worker;
    this.worker = undefined;
    if (w) await w.terminate();
  }

  private async afterSetup<T>(fn: () => Promise<T>): Promise<T> {
    await this.start();
    return fn();
  }

  private spawn(): Worker {
    const worker = startTsWorker(new URL('./trainer-worker.ts', import.meta.url), {});
    worker.on('message', (msg: WorkerResponse) => this.onMessage(msg));
    worker.on('error', (err) => this.log.error({ err }, 'training worker crashed'));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.worker = undefined;
      this.setupDone = undefined;
      for (const [id, p] of this.pending) {
        p.reject(new Error(`training worker exited with code ${code}`));
        this.pending.delete(id);
      }
      if (!this.closing) this.log.warn({ code }, 'training worker exited; it restarts on the next request');
    });
    return worker;
  }

  private onMessage(msg: WorkerResponse): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') {
      p.onProgress?.(msg);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.type === 'result') p.resolve(msg.result);
    else p.reject(new Error(msg.message));
  }

  private call<T extends WorkerRequest['type']>(
    type: T,
    payload: Payload<T>,
    onProgress?: (p: TrainProgressMessage) => void,
    transfer: ArrayBuffer[] = [],
  ): Promise<WorkerResults[T]> {
    if (this.closing) return Promise.reject(new TrainerClosedError());
    if (!this.worker) this.worker = this.spawn();
    const worker = this.worker;
    const id = this.nextId++;
    return new Promise<WorkerResults[T]>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress });
      worker.postMessage({ type, id, ...payload }, transfer);
    });
  }
}
