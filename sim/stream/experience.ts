/**
 * The drift stream of the paper's protocol (Sec. 5.1) as a sequence of experiences:
 * experience 0 is D0 with the undrifted test set; experience
 * i >= 1 is the drift pool (or a seeded subset of it) drifted to step i, with the test set
 * drifted to step i. The offline runner and the live loop read the same stream, so a seed
 * gives the same data in both.
 */
import { subset, type ImageSet } from '../data/image-set.ts';
import type { DataSplit } from '../data/split.ts';
import { applyDrift, type DriftSpec } from '../drift/index.ts';
import { createRng, permutation } from '../rng.ts';

export interface StreamOptions {
  readonly split: DataSplit;
  readonly drift: readonly DriftSpec[];
  readonly seed: number;
  /** Images drawn from the pool per update; null (or at least the pool) = the whole pool in order. */
  readonly poolSubset: number | null;
  /** Test images evaluated per experience; null (or at least the test set) = all of them. */
  readonly testSubset?: number | null;
  /** Drifted test sets kept in memory (the offline runner revisits every step; the loop only today's). */
  readonly cachedTestSets?: number;
}

export interface Experience {
  /** 0 = D0 (F0's data); i >= 1 = the i-th update. */
  readonly index: number;
  /** The clean training data of this experience, before any poison. */
  readonly train: ImageSet;
  /** The clean test set at this experience's drift step. */
  readonly test: ImageSet;
}

export class DriftStream {
  private readonly tests = new Map<number, ImageSet>();
  private readonly baseTest: ImageSet;

  constructor(private readonly options: StreamOptions) {
    const { test } = options.split;
    const n = options.testSubset ?? test.count;
    this.baseTest =
      n < test.count
        ? subset(test, permutation(test.count, createRng(`eval:${options.seed}`)).subarray(0, n))
        : test;
  }

  experience(index: number): Experience {
    return { index, train: this.trainData(index), test: this.testSet(index) };
  }

  /** D_i: D0 for i = 0, else the pool (or a seeded subset of it) drifted to step i. */
  trainData(index: number): ImageSet {
    if (index === 0) return this.options.split.d0;
    const { pool } = this.options.split;
    const n = this.options.poolSubset;
    const base =
      n !== null && n < pool.count
        ? subset(
            pool,
            permutation(pool.count, createRng(`pool:${this.options.seed}:${index}`)).subarray(0, n),
          )
        : pool;
    return applyDrift(base, this.options.drift, index);
  }

  /** The clean test set drifted to step i. */
  testSet(index: number): ImageSet {
    let set = this.tests.get(index);
    if (!set) {
      set = applyDrift(this.baseTest, this.options.drift, index);
      const keep = this.options.cachedTestSets ?? Number.POSITIVE_INFINITY;
      if (this.tests.size >= keep) this.tests.delete(this.tests.keys().next().value as number);
      if (keep > 0) this.tests.set(index, set);
    }
    return set;
  }
}
