import type { ModelArch } from '../sim/models/index.ts';

/** The two reference nets of the backend benchmark (docs/backend.md), described once for both frameworks. */
export interface BenchNet {
  readonly name: string;
  readonly arch: ModelArch;
  readonly channels: number;
  readonly size: number;
  readonly classes: number;
  readonly width: number;
}

export const REFERENCE_NETS: readonly BenchNet[] = [
  { name: 'small-cnn', arch: 'small-cnn', channels: 1, size: 28, classes: 10, width: 1 },
  { name: 'resnet9', arch: 'resnet9', channels: 3, size: 32, classes: 10, width: 0.25 },
];

export interface Throughput {
  readonly net: string;
  /** Training samples per second (forward, backward, SGD step). */
  readonly trainSps: number;
  /**
   * Training samples per CPU-second of the process (all threads): the work a sample costs,
   * much less sensitive than wall time to other jobs on a shared machine.
   */
  readonly trainCpuSps?: number;
  /** Inference samples per second (eval mode). */
  readonly inferSps: number;
}

export interface BenchConfig {
  readonly batch: number;
  readonly warmup: number;
  readonly steps: number;
  readonly threads: number;
}
