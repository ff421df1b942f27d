/** Backdoor scan of a model (Neural Cleanse from sim/defenses) on clean images of the current drift. */
import type { ScanSummary } from './protocol.ts';
import type { Simulation } from './simulation.ts';

export async function scanModel(_sim: Simulation, _model: Uint8Array, _step: number): Promise<ScanSummary> {
  throw new Error('backdoor scans are not available yet (sim/defenses)');
}
