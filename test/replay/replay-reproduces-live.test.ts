/**
 * Replay with the recorded policy reproduces the live history: four live cycles with a
 * persistent BadNets campaign (poisoning the first two) are recorded, replayed from v2 (the
 * first update) and each version's clean accuracy and ASR come out identical (same backend).
 * Then the same history under STLR from v3 changes the counterfactual, not the record.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { historySource } from '../../services/registry/history-source.ts';
import { currentBackend } from '../../sim/backend/loader.ts';
import { replay } from '../../sim/replay/engine.ts';
import { loadHistory } from '../../sim/replay/history.ts';
import { parseReplayPolicy } from '../../sim/replay/policy.ts';
import { recordLiveHistory } from '../helpers/live-history.ts';
import { startTestService } from '../services/helpers/service.ts';

test('replaying 4 recorded live cycles with the recorded policy gives identical accuracy and ASR', async () => {
  const service = await startTestService({ SCHEDULE: 'sgd:0.03' });
  try {
    const recorded = await recordLiveHistory(service, {
      cycles: 4,
      campaign: { before: 0, mode: 'persistent', cycles: 2 },
    });
    const { campaign } = recorded;
    const live = recorded.cycles.map((c) => ({ version: c.version, acc: c.cleanAccuracy, asr: c.asr }));
    const history = await loadHistory(historySource(service.store), service.loop.name, { from: 2 });
    assert.deepEqual(
      history.versions.map((v) => v.version),
      [2, 3, 4, 5],
    );
    assert.deepEqual([...history.bases.keys()], [1]);
    const backend = (await currentBackend())?.name ?? 'unknown';
    const same = await replay(history, { policy: parseReplayPolicy('recorded'), backend });
    assert.equal(same.sameBackend, true);
    assert.deepEqual(
      same.rows.map((r) => ({
        version: r.version,
        acc: r.counterfactual.cleanAccuracy,
        asr: r.counterfactual.asr[campaign],
      })),
      live,
    );
    assert.deepEqual(
      same.rows.map((r) => r.recorded.cleanAccuracy),
      live.map((l) => l.acc),
    );
    assert.equal(same.summary.campaign, campaign);
    assert.equal(same.summary.lastPoisonedVersion, 3);
    assert.equal(same.summary.accuracyCost, 0);
    assert.deepEqual(same.references, [1, 2, 3, 4, 5]);

    const stlr = await replay(history, { policy: parseReplayPolicy('stlr:0.5@v3'), backend });
    assert.deepEqual(
      stlr.rows.map((r) => r.counterfactual.schedule),
      ['sgd:0.03', 'stlr:0.5:0.1', 'stlr:0.5:0.1', 'stlr:0.5:0.1'],
    );
    assert.equal(stlr.rows[0].counterfactual.asr[campaign], live[0].asr);
    assert.notEqual(stlr.rows[1].counterfactual.cleanAccuracy, live[1].acc);
  } finally {
    await service.dispose();
  }
});
