/** Serving: answered predictions and their latency. */
import { Counter, Histogram, type Registry } from 'prom-client';
import { METRICS } from '../contract.ts';
import { MILLISECONDS } from './buckets.ts';

export function registerPredictMetrics(registry: Registry) {
  const predictions = new Counter({
    name: METRICS.predictions,
    help: '/predict requests answered with a prediction.',
    registers: [registry],
  });
  const predictionDuration = new Histogram({
    name: METRICS.predictionDuration,
    help: 'Latency of /predict, parsing included.',
    buckets: MILLISECONDS,
    registers: [registry],
  });
  return { predictions, predictionDuration };
}
