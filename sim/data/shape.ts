import type { ImageShape } from './image-set.ts';

/** Image shape per data set, known without loading it (for attack defaults). */
export function datasetShape(dataset: string): ImageShape {
  return dataset === 'mnist'
    ? { height: 28, width: 28, channels: 1 }
    : { height: 32, width: 32, channels: 3 };
}
