/** The promoted version the loop serves: its pointer, manifest and weights, hot-swapped into /predict. */
import type { Manifest, Pointer } from '../registry/model-store.ts';
import { NotReadyError } from './errors.ts';

/** Where served weights go (the Predictor). */
export interface ModelSink {
  swap(bytes: Uint8Array, version: number): void;
}

export interface Served {
  readonly pointer: Pointer;
  readonly manifest: Manifest;
  readonly bytes: Uint8Array;
}

export class ServedModel {
  private current: Served | undefined;

  constructor(private readonly sink: ModelSink) {}

  /** Swaps the sink first: a version the sink cannot load is never recorded as served. */
  serve(pointer: Pointer, manifest: Manifest, bytes: Uint8Array): Served {
    this.sink.swap(bytes, manifest.version);
    this.current = { pointer, manifest, bytes };
    return this.current;
  }

  get(): Served {
    if (!this.current) throw new NotReadyError('no model is served yet');
    return this.current;
  }

  get version(): number | undefined {
    return this.current?.manifest.version;
  }

  /** The pointer and schedule shown by /api/state. */
  view(): (Pointer & { schedule: string }) | null {
    return this.current ? { ...this.current.pointer, schedule: this.current.manifest.schedule } : null;
  }
}
