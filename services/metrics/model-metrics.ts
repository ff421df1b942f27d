/** Observable state of the served model: which version, how accurate today, which drift step. */
import { Gauge, type Registry } from 'prom-client';
import { METRICS } from '../contract.ts';

export function registerModelMetrics(registry: Registry) {
  const modelInfo = new Gauge({
    name: METRICS.modelInfo,
    help: 'The promoted model (always 1; one series at a time).',
    labelNames: ['model_version', 'schedule'] as const,
    registers: [registry],
  });
  const cleanAccuracy = new Gauge({
    name: METRICS.cleanAccuracy,
    help: 'Clean accuracy of the promoted model on the current drifted test set.',
    registers: [registry],
  });
  const driftStep = new Gauge({
    name: METRICS.driftStep,
    help: 'Drift step of the promoted model.',
    registers: [registry],
  });
  const predictedLabel = new Gauge({
    name: METRICS.predictedLabel,
    help: 'Share of evaluation predictions per class (observable output drift).',
    labelNames: ['label'] as const,
    registers: [registry],
  });

  return {
    modelInfo,
    cleanAccuracy,
    driftStep,
    predictedLabel,
    /** Replaces the single model_info series and the per-class shares. */
    setPromoted(version: number, schedule: string, step: number): void {
      modelInfo.reset();
      modelInfo.set({ model_version: String(version), schedule }, 1);
      driftStep.set(step);
    },
    setEvaluation(accuracy: number, labelShares: readonly number[]): void {
      cleanAccuracy.set(accuracy);
      labelShares.forEach((share, label) => predictedLabel.set({ label: String(label) }, share));
    },
  };
}
