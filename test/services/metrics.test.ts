import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Registry } from 'prom-client';
import { METRICS } from '../../services/contract.ts';
import { createServiceMetrics } from '../../services/metrics/index.ts';

function make() {
  const registry = new Registry();
  const metrics = createServiceMetrics(registry, {
    version: '1',
    backend: 'cpu',
    modelArch: 'small-cnn',
    cycleIntervalSeconds: 30,
  });
  return { registry, metrics };
}

describe('service metrics', () => {
  it('registers every contract metric on the registry it is given, none globally', async () => {
    const { registry } = make();
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
    assert.deepEqual(names, Object.values(METRICS).sort());
    // A second set on another registry does not clash (no global registry).
    assert.doesNotThrow(() => make());
  });

  it('uses Prometheus naming: base units, _ratio, _total, truth prefix for ground truth', () => {
    for (const name of Object.values(METRICS)) assert.match(name, /^permanence_[a-z_]+$/);
    assert.ok(METRICS.attackSuccess.startsWith('permanence_truth_'));
    assert.ok(METRICS.cycles.endsWith('_total'));
    assert.ok(METRICS.cleanAccuracy.endsWith('_ratio'));
    assert.ok(METRICS.cycleDuration.endsWith('_seconds'));
  });

  it('keeps one model_info series and zero-initialises cycle outcomes', async () => {
    const { registry, metrics } = make();
    metrics.model.setPromoted(1, 'sgd:0.03', 0);
    metrics.model.setPromoted(2, 'stlr:0.5:0.1', 1);
    const text = await registry.metrics();
    assert.ok(text.includes('permanence_model_info{model_version="2",schedule="stlr:0.5:0.1"} 1'));
    assert.ok(!text.includes('model_version="1"'));
    for (const outcome of ['success', 'failed', 'rejected']) {
      assert.ok(text.includes(`permanence_cycles_total{outcome="${outcome}"} 0`), outcome);
    }
  });

  it('forgets the series of an evicted campaign', async () => {
    const { registry, metrics } = make();
    metrics.attack.attackSuccess.set({ campaign: 'c1', attack: 'badnets' }, 0.9);
    metrics.attack.forget('c1', 'badnets');
    assert.ok(!(await registry.metrics()).includes('campaign="c1"'));
  });
});
