import { serializeModel, type Model } from '../models/index.ts';
import { modelPath, writeAtomic } from './run-folder.ts';

export interface ModelSaveOptions {
  readonly dir: string;
  readonly at: readonly number[] | 'all';
}

/** An onModel hook writing F<i> of one seed into the run folder. */
export function modelSaver(
  options: ModelSaveOptions,
  seed: number,
): (model: Model, index: number) => Promise<void> {
  return async (model, index) => {
    if (options.at === 'all' || options.at.includes(index)) {
      await writeAtomic(modelPath(options.dir, seed, index), serializeModel(model));
    }
  };
}
