/**
 * `curl /metrics | promtool check metrics` on the real service exits 0: the exposition
 * follows Prometheus' naming rules (no _total on gauges), process metrics included.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { METRICS } from '../../services/contract.ts';
import { DROPPED_DEFAULT_METRICS } from '../../services/metrics/index.ts';
import { startTestService } from '../services/helpers/service.ts';
import { findTool } from './tools.ts';

const promtool = findTool('promtool');

test(
  'promtool check metrics accepts /metrics of a serving instance',
  { skip: promtool ? false : 'promtool not installed (run scripts/install-system-deps.sh)' },
  async () => {
    const svc = await startTestService();
    try {
      await svc.ready;
      const text = await (await fetch(`${svc.url}/metrics`)).text();
      // promtool accepts an empty input: make sure the service's and the process metrics are there.
      assert.ok(text.includes(`# TYPE ${METRICS.cycles} counter`), 'service metrics exported');
      assert.match(text, /^nodejs_active_handles\{type="[^"]+"\} \d+$/m);
      for (const name of DROPPED_DEFAULT_METRICS) assert.ok(!text.includes(`${name} `), name);
      const result = spawnSync(promtool as string, ['check', 'metrics'], { input: text, encoding: 'utf8' });
      assert.equal(result.status, 0, result.stdout + result.stderr);
    } finally {
      await svc.dispose();
    }
  },
);
