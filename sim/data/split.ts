import { createRng, permutation } from '../rng.ts';
import { subset, type ImageSet } from './image-set.ts';

export interface SplitSizes {
  /** Images that train F0. */
  readonly d0: number;
  /** The drift pool that every update D_i is drawn from. */
  readonly pool: number;
  /** The held-out test set. */
  readonly test: number;
}

export interface DataSplit {
  readonly d0: ImageSet;
  readonly pool: ImageSet;
  readonly test: ImageSet;
}

/**
 * A random, disjoint split of `set` into D0, drift pool and test set (paper Sec. 5.1): one
 * permutation drawn from the seed, cut into consecutive blocks. Images beyond the three
 * sizes are left out.
 */
export function splitDataset(set: ImageSet, sizes: SplitSizes, seed: number | string): DataSplit {
  for (const [name, n] of Object.entries(sizes)) {
    if (!Number.isInteger(n) || n < 0)
      throw new Error(`split size ${name} must be a non-negative integer, got ${n}`);
  }
  const total = sizes.d0 + sizes.pool + sizes.test;
  if (total > set.count) {
    throw new Error(
      `split needs ${total} images (${sizes.d0}+${sizes.pool}+${sizes.test}), the set has ${set.count}`,
    );
  }
  const order = permutation(set.count, createRng(`split:${seed}`));
  const d0End = sizes.d0;
  const poolEnd = d0End + sizes.pool;
  return {
    d0: subset(set, order.subarray(0, d0End)),
    pool: subset(set, order.subarray(d0End, poolEnd)),
    test: subset(set, order.subarray(poolEnd, poolEnd + sizes.test)),
  };
}
