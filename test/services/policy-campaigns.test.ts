import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CampaignLimitError, Campaigns, type CampaignInput } from '../../services/loop/campaigns.ts';
import { MitigationPolicy } from '../../services/loop/policy.ts';

const input = (cycles: number): CampaignInput => ({
  trigger: { kind: 'badnets' },
  ratio: 0.1,
  target: 0,
  mode: cycles === 1 ? 'one-shot' : 'persistent',
  cycles,
});

describe('Campaigns', () => {
  it('injects for exactly `cycles` promoted updates, then tracks survivability', () => {
    const campaigns = new Campaigns(5);
    const { campaign } = campaigns.create(input(2));
    assert.deepEqual(
      campaigns.injecting().map((c) => c.id),
      [campaign.id],
    );
    campaigns.recordPromoted(1, 2, [campaign.id], { [campaign.id]: 0.99 });
    assert.equal(campaign.status, 'active');
    campaigns.recordPromoted(2, 3, [campaign.id], { [campaign.id]: 0.98 });
    assert.equal(campaign.status, 'finished');
    assert.deepEqual(campaigns.injecting(), []);
    campaigns.recordPromoted(3, 4, [], { [campaign.id]: 0.8 });
    campaigns.recordPromoted(4, 5, [], { [campaign.id]: 0.7 });
    assert.equal(campaign.survivability, 2);
    campaigns.recordPromoted(5, 6, [], { [campaign.id]: 0.3 });
    campaigns.recordPromoted(6, 7, [], { [campaign.id]: 0.9 });
    assert.equal(campaign.survivability, 2);
    assert.deepEqual(campaign.injectedSteps, [1, 2]);
  });

  it('stops a campaign and bounds how many are kept', () => {
    const campaigns = new Campaigns(2);
    const a = campaigns.create(input(1)).campaign;
    campaigns.create(input(3));
    assert.throws(() => campaigns.create(input(1)), CampaignLimitError);
    assert.equal(campaigns.stop(a.id), true);
    assert.equal(campaigns.stop(a.id), false);
    const { evicted } = campaigns.create(input(1));
    assert.equal(evicted?.id, a.id);
    assert.equal(campaigns.get(a.id), undefined);
  });
});

describe('MitigationPolicy', () => {
  it('forces STLR for k promoted updates after a flagging scan, then releases', () => {
    const policy = new MitigationPolicy({ enabled: true, forcedUpdates: 2, forcedSchedule: 'stlr:0.5' });
    assert.equal(policy.schedule('sgd:0.03'), 'sgd:0.03');
    assert.equal(policy.onScan(false, 'neural-cleanse', 1.1), undefined);
    assert.equal(policy.onScan(true, 'neural-cleanse', 3.2)?.action, 'force_stlr');
    assert.equal(policy.schedule('sgd:0.03'), 'stlr:0.5');
    assert.equal(policy.onUpdatePromoted(), undefined);
    assert.equal(policy.onScan(true, 'neural-cleanse', 2.5)?.action, 'extend');
    policy.onUpdatePromoted();
    assert.equal(policy.onUpdatePromoted()?.action, 'release');
    assert.equal(policy.schedule('sgd:0.03'), 'sgd:0.03');
    assert.deepEqual(
      policy.history().map((d) => d.action),
      ['force_stlr', 'extend', 'release'],
    );
  });

  it('does nothing when disabled', () => {
    const policy = new MitigationPolicy({ enabled: false, forcedUpdates: 2, forcedSchedule: 'stlr:0.5' });
    assert.equal(policy.onScan(true, 'neural-cleanse', 5), undefined);
    assert.equal(policy.active, false);
  });
});
