/** Backdoor scan of a model (Neural Cleanse or TABOR) on clean images of the current drift. */
import { deserializeModel } from '../../sim/models/index.ts';
import { scanStep } from '../../sim/stream/scan-step.ts';
import type { ScanSummary } from './protocol.ts';
import type { Simulation } from './simulation.ts';

export async function scanModel(sim: Simulation, bytes: Uint8Array, step: number): Promise<ScanSummary> {
  const { scanDefense, scanSubset, scanMaxEpochs } = sim.setup;
  const model = deserializeModel(bytes);
  try {
    return await scanStep(model, sim.testSet(step), step, {
      defense: scanDefense,
      subset: scanSubset,
      maxEpochs: scanMaxEpochs,
    });
  } finally {
    model.dispose();
  }
}
