/**
 * Replay through the service's API and the CLI, on one recorded history: bad input (an
 * unknown policy, a missing version, a range that runs backwards, a version without or with
 * a corrupt experience record) is a clear 4xx / exit 2 that writes nothing; a good request
 * answers 202, runs in the background, reports progress on the bus and counts in Prometheus;
 * the CLI writes its run folder, the recorded policy reproducing the recorded numbers.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EXPERIENCE_FILE, MODEL_FILE } from '../../sim/models/version-layout.ts';
import { replayReferences } from '../../sim/replay/output.ts';
import { recordLiveHistory } from '../helpers/live-history.ts';
import {
  adminHeaders,
  metricValue,
  startTestService,
  waitFor,
  type TestService,
} from '../services/helpers/service.ts';

let service: TestService;
let campaign = '';

before(async () => {
  service = await startTestService();
  // v2 (poisoned), v3, v4.
  ({ campaign } = await recordLiveHistory(service, {
    cycles: 3,
    campaign: { before: 0, mode: 'one-shot', cycles: 1 },
  }));
  const model = (await service.store.loadVersion(service.loop.name, 4)).files[MODEL_FILE];
  // v5: a version written before recording existed; v6: one whose record is not JSON.
  await service.store.saveVersion(service.loop.name, {
    step: 4,
    parentVersion: 4,
    schedule: 'sgd:0.03',
    status: 'candidate',
    files: { [MODEL_FILE]: model },
    metrics: {},
  });
  await service.store.saveVersion(service.loop.name, {
    step: 5,
    parentVersion: 5,
    schedule: 'sgd:0.03',
    status: 'candidate',
    files: { [MODEL_FILE]: model, [EXPERIENCE_FILE]: new TextEncoder().encode('{"format": 1, "kind"') },
    metrics: {},
  });
});
after(() => service.dispose());

const post = (body: unknown, headers = adminHeaders()) =>
  fetch(`${service.url}/admin/replay`, { method: 'POST', headers, body: JSON.stringify(body) });

test('bad replay requests are refused with a clear 4xx and queue nothing', async () => {
  const cases: [unknown, number, RegExp][] = [
    [{ from: 2, policy: 'adam:0.1' }, 400, /body\.policy.*unknown policy/],
    [{ from: 2, policy: 'periodic:stlr:0.5' }, 400, /every=/],
    [{ from: 42, policy: 'stlr:0.5' }, 404, /v42 does not exist/],
    [{ from: 4, to: 2, policy: 'stlr:0.5' }, 400, /runs backwards/],
    [{ from: 4, to: 5, policy: 'stlr:0.5' }, 422, /v5 has no experience record/],
    [{ from: 6, to: 6, policy: 'stlr:0.5' }, 422, /v6.*not JSON/],
    [{ from: 2, policy: 'stlr:0.5', extra: 1 }, 400, /body/],
  ];
  for (const [body, status, message] of cases) {
    const res = await post(body);
    const json = (await res.json()) as { error: string };
    assert.equal(res.status, status, JSON.stringify(body));
    assert.match(json.error, message, JSON.stringify(body));
  }
  assert.equal(
    (await post({ from: 2, policy: 'stlr:0.5' }, { 'content-type': 'application/json' })).status,
    401,
  );
  const text = await (await fetch(`${service.url}/metrics`)).text();
  assert.equal(metricValue(text, 'permanence_replay_jobs_total', 'outcome="failed"'), 0);
  const missing = await fetch(`${service.url}/admin/replay/r00000000`, { headers: adminHeaders() });
  assert.equal(missing.status, 404);
  assert.equal((await fetch(`${service.url}/admin/replay/x`, { headers: adminHeaders() })).status, 400);
});

test('POST /admin/replay answers 202, runs the job in the background and reports it', async () => {
  const progress: number[] = [];
  const off = service.events.on('replay:progress', (j) => progress.push(j.progress?.done ?? -1));
  const finished = new Promise<{ outcome: string }>((resolve) =>
    service.events.on('replay:finished', resolve),
  );
  const res = await post({ from: 2, to: 4, policy: 'stlr:0.5@v3' });
  assert.equal(res.status, 202);
  const job = (await res.json()) as { id: string; status: string; progress: { total: number } };
  assert.match(job.id, /^r[0-9a-f]{8}$/);
  assert.equal(job.progress.total, 3);
  assert.equal(res.headers.get('location'), `/admin/replay/${job.id}`);
  assert.equal((await finished).outcome, 'succeeded');
  off();
  const done = await waitFor(async () => {
    const j = (await (
      await fetch(`${service.url}/admin/replay/${job.id}`, { headers: adminHeaders() })
    ).json()) as {
      status: string;
      result: { rows: { counterfactual: { schedule: string } }[]; summary: { campaign: string } } | null;
    };
    return j.status === 'succeeded' ? j : undefined;
  }, 'the replay job');
  assert.deepEqual(progress, [1, 2, 3]);
  assert.deepEqual(
    done.result?.rows.map((r) => r.counterfactual.schedule),
    ['sgd:0.03', 'stlr:0.5:0.1', 'stlr:0.5:0.1'],
  );
  assert.equal(done.result?.summary.campaign, campaign);
  const text = await (await fetch(`${service.url}/metrics`)).text();
  assert.equal(metricValue(text, 'permanence_replay_jobs_total', 'outcome="succeeded"'), 1);
  assert.equal(metricValue(text, 'permanence_replay_duration_seconds_count'), 1);
});

const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['bin/permanence.mjs', 'replay', ...args], { encoding: 'utf8' });

test('permanence replay: bad input exits 2 and writes nothing', () => {
  const out = join(service.dataDir, 'never-written');
  const cases: [string[], RegExp][] = [
    [['--from', 'v2', '--policy', 'adam:0.1'], /unknown policy/],
    [['--from', 'v42', '--policy', 'stlr:0.5'], /v42 does not exist/],
    [['--from', 'v4', '--to', 'v2', '--policy', 'stlr:0.5'], /runs backwards/],
    [['--from', 'v4', '--to', 'v5', '--policy', 'stlr:0.5'], /v5 has no experience record/],
    [['--from', 'v6', '--policy', 'stlr:0.5'], /v6.*not JSON/],
    [
      ['--from', 'v2', '--policy', 'stlr:0.5', '--compare', 'sgd:0.01'],
      /exactly one of --policy and --compare/,
    ],
  ];
  for (const [args, message] of cases) {
    const r = cli(service.dataDir, ...args, '--out', out);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
  }
  assert.equal(cli(join(service.dataDir, 'nope'), '--from', 'v2', '--policy', 'stlr:0.5').status, 2);
  assert.equal(existsSync(out), false);
});

test('permanence replay --compare writes the run folder; the recorded policy reproduces the record', async () => {
  const out = join(service.dataDir, 'replay-run');
  const r = cli(
    service.dataDir,
    '--from',
    'v2',
    '--to',
    'v4',
    '--compare',
    'recorded,stlr:0.5',
    '--out',
    out,
    '--jobs',
    '2',
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /\| policy \| versions until ASR <= gamma/);
  assert.match(r.stdout, /\| stlr:0\.5:0\.1 \|/);
  for (const f of ['replay.json', 'replay.csv', 'table.md', 'replay.svg'])
    assert.ok(existsSync(join(out, f)), f);
  const stored = JSON.parse(readFileSync(join(out, 'replay.json'), 'utf8')) as {
    results: {
      policy: string;
      rows: {
        recorded: { cleanAccuracy: number; asr: Record<string, number> };
        counterfactual: { cleanAccuracy: number; asr: Record<string, number> };
      }[];
    }[];
  };
  assert.deepEqual(
    stored.results.map((x) => x.policy),
    ['recorded', 'stlr:0.5:0.1'],
  );
  for (const row of stored.results[0].rows) {
    assert.equal(row.counterfactual.cleanAccuracy, row.recorded.cleanAccuracy);
    assert.equal(row.counterfactual.asr[campaign], row.recorded.asr[campaign]);
  }
  assert.deepEqual(replayReferences(stored), new Map([[service.loop.name, [1, 2, 3, 4]]]));
  assert.match(readFileSync(join(out, 'replay.svg'), 'utf8'), /^<svg/);
});
