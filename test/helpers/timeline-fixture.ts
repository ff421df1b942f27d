import type { ExperimentResults } from '../../sim/experiment/results.ts';

const band = (mean: number) => ({ mean, std: 0.01 });

/** Two seeds, F0 and F1; F0 scanned by NC in both seeds, TABOR in one, F1 by nothing. */
export function timelineFixture(withScans: boolean): ExperimentResults {
  const scan = (modelIndex: number) => ({ modelIndex, flagged: modelIndex > 2 });
  const model = (index: number, inspections?: Record<string, unknown>) => ({
    index,
    driftStep: index,
    poisoned: index === 0,
    cleanAccuracy: 0.97,
    asr: 0.99,
    train: { steps: 10, loss: 0.1, seconds: 1, samplesPerSecond: 100 },
    ...(inspections && { inspections }),
  });
  const seeds = [0, 1].map((seed) => ({
    seed,
    models: [
      model(0, withScans ? { nc: scan(2.5 + seed), ...(seed === 0 && { tabor: scan(1.5) }) } : undefined),
      model(1),
    ],
  }));
  return {
    format: 1,
    config: { gamma: 0.5 },
    backend: 'cpu',
    seeds,
    summary: {
      models: [0, 1].map((index) => ({
        index,
        cleanAccuracy: band(0.97),
        asr: band(0.99),
        staticAccuracy: band(0.9),
        staticAsr: band(0.99),
      })),
      survivability: band(14),
      stepsPerUpdate: 10,
      ineffectiveSeeds: [],
    },
    wallSeconds: 1,
  } as unknown as ExperimentResults;
}
