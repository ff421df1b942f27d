/**
 * The typed admin client, imported through the package's `exports` as a user would, against
 * the real service: every admin call answers with the typed shape, refusals become ApiError
 * with the service's status and field. Also: the package's library entry resolves.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiError, createAdminClient, type AdminClient } from 'permanence/client';
import { TEST_TOKEN, startTestService, type TestService } from './helpers/service.ts';

let svc: TestService;
let api: AdminClient;

before(async () => {
  svc = await startTestService();
  await svc.ready;
  api = createAdminClient({ url: `${svc.url}/`, adminToken: TEST_TOKEN });
});
after(async () => {
  await svc?.dispose();
});

describe('admin client', () => {
  it('creates, lists, reads and stops a campaign', async () => {
    const campaign = await api.poison({
      attack: 'blend',
      trigger: { alpha: 0.3 },
      ratio: 0.2,
      mode: 'persistent',
      cycles: 4,
    });
    assert.match(campaign.id, /^c[0-9a-f]{8}$/);
    assert.deepEqual(campaign.trigger, { kind: 'blend', alpha: 0.3 });
    assert.equal(campaign.cycles, 4);
    assert.ok((await api.campaigns()).some((c) => c.id === campaign.id));
    assert.equal((await api.campaign(campaign.id)).ratio, 0.2);
    assert.equal((await api.stopCampaign(campaign.id)).status, 'stopped');
  });

  it('pauses, resumes and sets the schedule; state and models read back', async () => {
    assert.deepEqual(await api.pause(), { paused: true });
    assert.equal((await api.state()).paused, true);
    assert.deepEqual(await api.resume(), { paused: false });
    const schedule = await api.setSchedule('STLR:0.5');
    assert.equal(schedule.operator, 'stlr:0.5:0.1');
    assert.equal((await api.state()).schedule.operator, 'stlr:0.5:0.1');
    const models = await api.models();
    assert.ok(models.versions.length >= 1);
    assert.equal(models.promoted?.version, models.versions[0].version);
    assert.equal(await api.ready(), true);
    assert.match(await api.metrics(), /^# HELP /m);
  });

  it('sets aliases and tags, rolls back by alias, and reads the scan history', async () => {
    assert.deepEqual(await api.aliases(), { champion: 1 });
    assert.deepEqual(await api.setAlias('baseline', 1), { champion: 1, baseline: 1 });
    assert.deepEqual(await api.setTag(1, 'reviewed-by', 'ops'), { 'reviewed-by': 'ops' });
    const v1 = (await api.models()).versions[0];
    assert.deepEqual(
      [v1.status, v1.aliases, v1.tags],
      ['promoted', ['champion', 'baseline'], { 'reviewed-by': 'ops' }],
    );
    assert.equal((await api.rollback('baseline')).version, 1);
    assert.deepEqual(await api.deleteTag(1, 'reviewed-by'), {});
    assert.deepEqual(await api.deleteAlias('baseline'), { champion: 1 });
    assert.deepEqual(await api.scans(1), { version: 1, scans: [] });
  });

  it('refusals are ApiErrors carrying the status and the field', async () => {
    const bad = await api.poison({ attack: 'badnets', ratio: 0.9 }).catch((e: unknown) => e);
    assert.ok(bad instanceof ApiError);
    assert.equal(bad.status, 400);
    assert.equal(bad.body.field, 'body.ratio');
    const missing = await api.campaign('c00000000').catch((e: unknown) => e);
    assert.ok(missing instanceof ApiError && missing.status === 404);
    const wrong = createAdminClient({ url: svc.url, adminToken: 'wrong-token-0123456789abcd' });
    const denied = await wrong.pause().catch((e: unknown) => e);
    assert.ok(denied instanceof ApiError && denied.status === 401);
  });
});

it("the package's library entry exports the experiment protocol", async () => {
  const sim = await import('permanence');
  const config = sim.parseExperimentConfig({ updates: 3 });
  assert.equal(config.updates, 3);
  assert.equal(sim.survivability([0.9, 0.8, 0.4], 0.5, 14), 2);
});
