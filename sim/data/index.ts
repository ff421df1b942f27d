export * from './image-set.ts';
export { loadMnist } from './mnist.ts';
export { splitDataset, type SplitSizes, type DataSplit } from './split.ts';
export { loadCifar10Binary, decodeCifar10Records } from './cifar10.ts';
export { generateColourSet, classHue, COLOUR_SHAPES, type ColourSetOptions } from './colour-set.ts';
export {
  loadDataset,
  isDatasetName,
  DEFAULT_SPLITS,
  type DatasetName,
  type LoadedDataset,
} from './registry.ts';
