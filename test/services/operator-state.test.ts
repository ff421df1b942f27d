import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Campaign } from '../../services/loop/campaigns.ts';
import { resumeOperatorState, type OperatorState } from '../../services/loop/operator-state.ts';

const campaign: Campaign = {
  id: 'c0123abcd',
  trigger: { kind: 'badnets', size: 3 },
  ratio: 0.1,
  target: 0,
  mode: 'persistent',
  cycles: 3,
  seed: 7,
  createdAt: '2026-11-26T00:00:00.000Z',
  status: 'active',
  injectedSteps: [4],
  injectedVersions: [5],
  asr: [{ step: 4, version: 5, asr: 0.97 }],
  survivability: 0,
  decayed: false,
};

function saved(over: Partial<OperatorState> = {}): OperatorState {
  return {
    format: 1,
    savedAt: '2026-11-26T01:00:00.000Z',
    schedule: 'stlr:0.5',
    paused: true,
    configured: { schedule: 'sgd:0.03', cyclesEnabled: true },
    campaigns: [campaign],
    policy: { remaining: 2, decisions: [{ at: 'x', action: 'force_stlr', reason: 'r', remaining: 3 }] },
    ...over,
  };
}

const config = { schedule: 'sgd:0.03', cyclesEnabled: true };

describe('resumeOperatorState', () => {
  it('starts from the configuration when nothing was saved', () => {
    const r = resumeOperatorState(undefined, { schedule: 'sgd:0.01', cyclesEnabled: false });
    assert.equal(r.schedule, 'sgd:0.01');
    assert.equal(r.paused, true);
    assert.deepEqual(r.campaigns, []);
    assert.deepEqual(r.policy, { remaining: 0, decisions: [] });
    assert.deepEqual(r.notes, []);
  });

  it('resumes run-time choices, campaigns and the policy under the same configuration', () => {
    const r = resumeOperatorState(saved(), config);
    assert.equal(r.schedule, 'stlr:0.5');
    assert.equal(r.paused, true);
    assert.deepEqual(r.campaigns, [campaign]);
    assert.equal(r.policy.remaining, 2);
    assert.ok(r.notes.some((n) => n.includes('schedule stlr:0.5 restored')));
  });

  it('lets a changed SCHEDULE or CYCLES_ENABLED win over the stored choice', () => {
    const r = resumeOperatorState(saved(), { schedule: 'sgd:0.01', cyclesEnabled: false });
    assert.equal(r.schedule, 'sgd:0.01');
    assert.equal(r.paused, true);
    const resumed = resumeOperatorState(
      saved({ paused: true, configured: { schedule: 'sgd:0.03', cyclesEnabled: false } }),
      config,
    );
    assert.equal(resumed.paused, false, 'CYCLES_ENABLED went from false to true');
    assert.equal(resumed.campaigns.length, 1, 'campaigns are kept either way');
  });

  it('ignores an unreadable document with a note naming the field', () => {
    const bad = { ...saved(), campaigns: [{ ...campaign, trigger: { kind: 'laser' } }] };
    const r = resumeOperatorState(bad, config);
    assert.equal(r.schedule, 'sgd:0.03');
    assert.deepEqual(r.campaigns, []);
    assert.match(r.notes[0], /ignored: campaigns\.0\.trigger/);
  });
});
