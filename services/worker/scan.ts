/** Backdoor scan of a model (Neural Cleanse or TABOR from sim/defenses) on clean images of the current drift. */
import { getDefense } from '../../sim/defenses/index.ts';
import { deserializeModel } from '../../sim/models/index.ts';
import type { ScanSummary } from './protocol.ts';
import type { Simulation } from './simulation.ts';

export async function scanModel(sim: Simulation, bytes: Uint8Array, step: number): Promise<ScanSummary> {
  const { scanDefense, scanSubset, scanMaxEpochs } = sim.setup;
  const model = deserializeModel(bytes);
  try {
    const clean = sim.cleanImages(step, scanSubset);
    const result = await getDefense(scanDefense).scan(model, clean, {
      samples: clean.count,
      maxEpochs: scanMaxEpochs,
      seed: step,
    });
    return {
      defense: result.defense,
      anomalyIndex: result.modelIndex,
      indexCeiling: result.anomaly.indexCeiling,
      flagged: result.flagged,
      flaggedLabels: [...result.flaggedLabels],
      seconds: result.seconds,
    };
  } finally {
    model.dispose();
  }
}
