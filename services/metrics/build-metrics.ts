/** Build and runtime identity: a constant-1 gauge whose labels carry the information. */
import { Gauge, type Registry } from 'prom-client';
import { METRICS } from '../contract.ts';

export function registerBuildMetrics(
  registry: Registry,
  labels: { version: string; backend: string; modelArch: string },
) {
  const info = new Gauge({
    name: METRICS.info,
    help: 'Build and runtime information (always 1).',
    labelNames: ['version', 'backend', 'model_arch'] as const,
    registers: [registry],
  });
  const set = (l: { version: string; backend: string; modelArch: string }) => {
    info.reset();
    info.set({ version: l.version, backend: l.backend, model_arch: l.modelArch }, 1);
  };
  set(labels);
  /** `set` replaces the series (the backend is known only once the worker has started). */
  return { info, set };
}
