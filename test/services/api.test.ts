/**
 * The HTTP API against the real service: malformed and unauthorised requests are refused
 * with the right 4xx and change nothing; valid ones work, and events reach socket.io.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { io as ioClient } from 'socket.io-client';
import { EVENTS, METRICS } from '../../services/contract.ts';
import { adminHeaders, metricValue, startTestService, type TestService } from './helpers/service.ts';

let svc: TestService;

before(async () => {
  svc = await startTestService({ ALERT_WEBHOOK_TOKEN: 'alert-token-0123456789abc' });
  await svc.ready;
});
after(async () => {
  await svc?.dispose();
});

interface Bad {
  name: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  status: number;
  field?: string;
}

const json = (v: unknown) => JSON.stringify(v);
const admin = adminHeaders();
const pngOf = (w: number, h: number) => PNG.sync.write(Object.assign(new PNG({ width: w, height: h }), {}));

const BAD: Bad[] = [
  {
    name: 'no token',
    method: 'POST',
    path: '/admin/poison',
    headers: { 'content-type': 'application/json' },
    body: json({ attack: 'badnets' }),
    status: 401,
  },
  {
    name: 'wrong token',
    method: 'POST',
    path: '/admin/poison',
    headers: adminHeaders('wrong-token-0123456789abcd'),
    body: json({ attack: 'badnets' }),
    status: 401,
  },
  {
    name: 'basic auth',
    method: 'POST',
    path: '/admin/cycle',
    headers: { authorization: 'Basic YWRtaW46YWRtaW4=' },
    status: 401,
  },
  {
    name: 'token prefix',
    method: 'POST',
    path: '/admin/pause',
    headers: { authorization: `Bearer ${admin.authorization.slice(7, -1)}` },
    status: 401,
  },
  {
    name: 'alert token on admin',
    method: 'POST',
    path: '/admin/pause',
    headers: { authorization: 'Bearer alert-token-0123456789abc' },
    status: 401,
  },
  {
    name: 'unknown attack',
    method: 'POST',
    path: '/admin/poison',
    headers: admin,
    body: json({ attack: 'trojan' }),
    status: 400,
    field: 'body.attack',
  },
  {
    name: 'ratio above 0.5',
    method: 'POST',
    path: '/admin/poison',
    headers: admin,
    body: json({ attack: 'badnets', ratio: 2 }),
    status: 400,
    field: 'body.ratio',
  },
  {
    name: 'negative ratio',
    method: 'POST',
    path: '/admin/poison',
    headers: admin,
    body: json({ attack: 'blend', ratio: -0.1 }),
    status: 400,
    field: 'body.ratio',
  },
  {
    name: 'target out of range',
    method: 'POST',
    path: '/admin/poison',
    headers: admin,
    body: json({ attack: 'badnets', target: 10 }),
    status: 400,
    field: 'body.target',
  },
  {
    name: 'fractional target',
    method: 'POST',
    path: '/admin/poison',
    headers: admin,
    body: json({ attack: 'badnets', target: 1.5 }),
    status: 400,
    field: 'body.target',
  },
  {
    name: 'unknown mode',
    method: 'POST',
    path: '/admin/poison',
    headers: admin,
    body: json({ attack: 'badnets', mode: 'sometimes' }),
    status: 400,
    field: 'body.mode',
  },
  {
    name: 'one-shot with cycles',
    method: 'POST',
    path: '/admin/poison',
    headers: admin,
    body: json({ attack: 'badnets', mode: 'one-shot', cycles: 3 }),
    status: 400,
    field: 'body.cycles',
  },
  {
    name: 'unknown field',
    method: 'POST',
    path: '/admin/poison',
    headers: admin,
    body: json({ attack: 'badnets', evil: true }),
    status: 400,
    field: 'body',
  },
  {
    name: 'trigger size too big',
    method: 'POST',
    path: '/admin/poison',
    headers: admin,
    body: json({ attack: 'badnets', trigger: { size: 100 } }),
    status: 400,
    field: 'body.trigger.size',
  },
  {
    name: 'parameter of another attack',
    method: 'POST',
    path: '/admin/poison',
    headers: admin,
    body: json({ attack: 'badnets', trigger: { alpha: 0.2 } }),
    status: 400,
    field: 'body.trigger',
  },
  {
    name: 'array body',
    method: 'POST',
    path: '/admin/poison',
    headers: admin,
    body: json([1, 2]),
    status: 400,
    field: 'body',
  },
  {
    name: 'malformed JSON',
    method: 'POST',
    path: '/admin/poison',
    headers: admin,
    body: '{"attack": "badnets",',
    status: 400,
    field: 'body',
  },
  {
    name: 'oversized body',
    method: 'POST',
    path: '/admin/poison',
    headers: admin,
    body: json({ attack: 'badnets', pad: 'x'.repeat(100_000) }),
    status: 413,
  },
  {
    name: 'bad campaign id',
    method: 'GET',
    path: '/admin/poison/..%2Fetc',
    headers: admin,
    status: 400,
    field: 'params.id',
  },
  {
    name: 'unknown campaign',
    method: 'DELETE',
    path: '/admin/poison/c00000000',
    headers: admin,
    status: 404,
  },
  {
    name: 'unknown schedule kind',
    method: 'PUT',
    path: '/admin/schedule',
    headers: admin,
    body: json({ schedule: 'adam:0.1' }),
    status: 400,
    field: 'body.schedule',
  },
  {
    name: 'negative lr',
    method: 'PUT',
    path: '/admin/schedule',
    headers: admin,
    body: json({ schedule: 'sgd:-1' }),
    status: 400,
    field: 'body.schedule',
  },
  {
    name: 'absurd lr',
    method: 'PUT',
    path: '/admin/schedule',
    headers: admin,
    body: json({ schedule: 'sgd:1000' }),
    status: 400,
    field: 'body.schedule',
  },
  {
    name: 'schedule not a string',
    method: 'PUT',
    path: '/admin/schedule',
    headers: admin,
    body: json({ schedule: 5 }),
    status: 400,
    field: 'body.schedule',
  },
  {
    name: 'rollback to v0',
    method: 'POST',
    path: '/admin/rollback',
    headers: admin,
    body: json({ version: 0 }),
    status: 400,
    field: 'body.version',
  },
  {
    name: 'rollback to a phrase',
    method: 'POST',
    path: '/admin/rollback',
    headers: admin,
    body: json({ version: 'one two' }),
    status: 400,
    field: 'body.version',
  },
  {
    name: 'rollback to an alias of another model',
    method: 'POST',
    path: '/admin/rollback',
    headers: admin,
    body: json({ version: 'other@previous' }),
    status: 400,
    field: 'body.version',
  },
  {
    name: 'rollback to an unset alias',
    method: 'POST',
    path: '/admin/rollback',
    headers: admin,
    body: json({ version: 'staging' }),
    status: 404,
  },
  {
    name: 'moving champion by hand',
    method: 'PUT',
    path: '/admin/aliases/champion',
    headers: admin,
    body: json({ version: 1 }),
    status: 409,
  },
  {
    name: 'alias that looks like a version',
    method: 'PUT',
    path: '/admin/aliases/v2',
    headers: admin,
    body: json({ version: 1 }),
    status: 400,
    field: 'params.alias',
  },
  {
    name: 'alias of a missing version',
    method: 'PUT',
    path: '/admin/aliases/staging',
    headers: admin,
    body: json({ version: 999 }),
    status: 404,
  },
  {
    name: 'alias without a token',
    method: 'PUT',
    path: '/admin/aliases/staging',
    headers: { 'content-type': 'application/json' },
    body: json({ version: 1 }),
    status: 401,
  },
  {
    name: 'tag with a number value',
    method: 'PUT',
    path: '/admin/models/1/tags/owner',
    headers: admin,
    body: json({ value: 3 }),
    status: 400,
    field: 'body.value',
  },
  {
    name: 'deleting a tag never set',
    method: 'DELETE',
    path: '/admin/models/1/tags/owner',
    headers: admin,
    status: 404,
  },
  {
    name: 'scans of a missing version',
    method: 'GET',
    path: '/api/models/999/scans',
    status: 404,
  },
  {
    name: 'rollback to a missing version',
    method: 'POST',
    path: '/admin/rollback',
    headers: admin,
    body: json({ version: 999 }),
    status: 404,
  },
  {
    name: 'cycle with a body',
    method: 'POST',
    path: '/admin/cycle',
    headers: admin,
    body: json({ now: true }),
    status: 400,
    field: 'body',
  },
  {
    name: 'model version not a number',
    method: 'GET',
    path: '/api/models/abc',
    status: 400,
    field: 'params.version',
  },
  { name: 'missing model version', method: 'GET', path: '/api/models/999', status: 404 },
  {
    name: 'predict too few values',
    method: 'POST',
    path: '/predict',
    headers: { 'content-type': 'application/json' },
    body: json({ image: [0, 1] }),
    status: 400,
    field: 'body.image',
  },
  {
    name: 'predict values out of range',
    method: 'POST',
    path: '/predict',
    headers: { 'content-type': 'application/json' },
    body: json({ image: new Array(784).fill(5) }),
    status: 400,
    field: 'body.image',
  },
  {
    name: 'predict ragged rows',
    method: 'POST',
    path: '/predict',
    headers: { 'content-type': 'application/json' },
    body: json({ image: [...new Array(27).fill(new Array(28).fill(0)), new Array(56).fill(0)] }),
    status: 400,
    field: 'body.image',
  },
  {
    name: 'predict strings',
    method: 'POST',
    path: '/predict',
    headers: { 'content-type': 'application/json' },
    body: json({ image: new Array(784).fill('0') }),
    status: 400,
    field: 'body.image',
  },
  {
    name: 'predict PNG of wrong size',
    method: 'POST',
    path: '/predict',
    headers: { 'content-type': 'image/png' },
    body: pngOf(32, 32),
    status: 400,
    field: 'body',
  },
  {
    name: 'predict garbage PNG',
    method: 'POST',
    path: '/predict',
    headers: { 'content-type': 'image/png' },
    body: Buffer.from('not a png at all'),
    status: 400,
    field: 'body',
  },
  {
    name: 'predict plain text',
    method: 'POST',
    path: '/predict',
    headers: { 'content-type': 'text/plain' },
    body: 'seven',
    status: 415,
  },
  {
    name: 'predict oversized',
    method: 'POST',
    path: '/predict',
    headers: { 'content-type': 'application/json' },
    body: json({ image: new Array(30_000).fill(0.123456789) }),
    status: 413,
  },
  {
    name: 'alert hook without token',
    method: 'POST',
    path: '/hooks/alertmanager',
    headers: { 'content-type': 'application/json' },
    body: json({ status: 'firing', alerts: [] }),
    status: 401,
  },
  {
    name: 'alert hook bad status',
    method: 'POST',
    path: '/hooks/alertmanager',
    headers: adminHeaders('alert-token-0123456789abc'),
    body: json({ status: 'pending', alerts: [{ status: 'firing' }] }),
    status: 400,
    field: 'body.status',
  },
  {
    name: 'alert hook no alerts',
    method: 'POST',
    path: '/hooks/alertmanager',
    headers: adminHeaders('alert-token-0123456789abc'),
    body: json({ status: 'firing', alerts: [] }),
    status: 400,
    field: 'body.alerts',
  },
  { name: 'unknown route', method: 'GET', path: '/admin/../etc/passwd', status: 404 },
];

async function snapshot() {
  const state = (await (await fetch(`${svc.url}/api/state`)).json()) as {
    step: number;
    model: { version: number };
    paused: boolean;
    schedule: unknown;
    campaigns: unknown[];
  };
  const metrics = await (await fetch(`${svc.url}/metrics`)).text();
  return {
    step: state.step,
    version: state.model.version,
    paused: state.paused,
    schedule: state.schedule,
    campaigns: state.campaigns.length,
    cycles: metricValue(metrics, METRICS.cycles, 'outcome="success"'),
    alerts: metricValue(metrics, METRICS.alertsReceived, 'status="firing"'),
  };
}

describe('refused requests', () => {
  it(`answers ${BAD.length} malformed or unauthorised requests with 4xx and changes nothing`, async () => {
    assert.ok(BAD.length >= 20);
    const before = await snapshot();
    for (const b of BAD) {
      const res = await fetch(`${svc.url}${b.path}`, {
        method: b.method,
        headers: b.headers,
        body: typeof b.body === 'string' || b.body === undefined ? b.body : new Uint8Array(b.body),
      });
      const body = (await res.json().catch(() => ({}))) as { field?: string; error?: string };
      assert.equal(res.status, b.status, `${b.name}: got ${res.status} ${JSON.stringify(body)}`);
      if (b.field) assert.equal(body.field, b.field, `${b.name}: ${JSON.stringify(body)}`);
    }
    assert.deepEqual(await snapshot(), before);
    assert.equal((await fetch(`${svc.url}/healthz`)).status, 200);
  });
});

describe('accepted requests', () => {
  it('serves probes, metrics with the contract names, and the model list', async () => {
    assert.equal((await fetch(`${svc.url}/readyz`)).status, 200);
    // /healthz says which training path is in use, and how to get the fast one if slow.
    const health = (await (await fetch(`${svc.url}/healthz`)).json()) as {
      backend: { name: string; nativeKernels: boolean; path: string; hint?: string };
    };
    assert.equal(health.backend.path, health.backend.nativeKernels ? 'fast' : 'slow');
    if (health.backend.path === 'slow') assert.match(health.backend.hint ?? '', /libdnnl-dev/);
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    for (const name of [
      METRICS.info,
      METRICS.modelInfo,
      METRICS.cleanAccuracy,
      METRICS.driftStep,
      METRICS.cycleInterval,
    ]) {
      assert.ok(metrics.includes(`\n${name}`), `missing ${name}`);
    }
    const models = (await (await fetch(`${svc.url}/api/models`)).json()) as {
      versions: { version: number }[];
    };
    assert.equal(models.versions[0].version, 1);
    const v1 = (await (await fetch(`${svc.url}/api/models/1`)).json()) as {
      manifest: { files: { path: string }[] };
      promoted: boolean;
    };
    assert.equal(v1.promoted, true);
    // The experience record is part of every version (docs/replay.md).
    assert.deepEqual(
      v1.manifest.files.map((f) => f.path),
      ['experience.json', 'metrics.json', 'model.bin'],
    );
  });

  it('shows promotion in the version list, and sets and removes user aliases and tags', async () => {
    const get = async <T>(path: string) => (await (await fetch(`${svc.url}${path}`)).json()) as T;
    const send = (method: string, path: string, body?: unknown) =>
      fetch(`${svc.url}${path}`, {
        method,
        headers: admin,
        body: body === undefined ? undefined : json(body),
      });
    type View = { version: number; status: string; aliases: string[]; tags: Record<string, string> };
    let v1 = (await get<{ versions: View[] }>('/api/models')).versions[0];
    // The stored manifest says candidate; the registry knows v1 was promoted.
    assert.deepEqual([v1.status, v1.aliases, v1.tags], ['promoted', ['champion'], {}]);
    assert.equal((await send('PUT', '/admin/aliases/baseline', { version: 1 })).status, 200);
    assert.equal((await send('PUT', '/admin/models/1/tags/owner', { value: 'ops' })).status, 200);
    v1 = (await get<{ versions: View[] }>('/api/models')).versions[0];
    assert.deepEqual([v1.aliases, v1.tags], [['champion', 'baseline'], { owner: 'ops' }]);
    assert.deepEqual(await get('/api/aliases'), { aliases: { champion: 1, baseline: 1 } });
    const rollback = await send('POST', '/admin/rollback', { version: 'live-mnist@baseline' });
    assert.equal(rollback.status, 200, await rollback.text());
    assert.equal((await send('DELETE', '/admin/aliases/baseline')).status, 200);
    assert.equal((await send('DELETE', '/admin/models/1/tags/owner')).status, 200);
    assert.deepEqual(await get('/api/aliases'), { aliases: { champion: 1 } });
    assert.deepEqual(await get('/api/models/1/scans'), { version: 1, scans: [] });
  });

  it('predicts from numbers and from a PNG with the served version', async () => {
    const res = await fetch(`${svc.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: json({ image: new Array(28).fill(new Array(28).fill(0)) }),
    });
    assert.equal(res.status, 200);
    const p = (await res.json()) as { label: number; probabilities: number[]; modelVersion: number };
    assert.equal(p.probabilities.length, 10);
    assert.ok(Math.abs(p.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-3);
    assert.equal(p.modelVersion, 1);
    const png = await fetch(`${svc.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: new Uint8Array(pngOf(28, 28)),
    });
    assert.equal(png.status, 200);
  });

  it('creates, reads and stops a poison campaign', async () => {
    const res = await fetch(`${svc.url}/admin/poison`, {
      method: 'POST',
      headers: admin,
      body: json({ attack: 'blend', trigger: { alpha: 0.3 }, ratio: 0.1, mode: 'persistent', cycles: 2 }),
    });
    assert.equal(res.status, 202);
    const c = (await res.json()) as { id: string; status: string; trigger: { kind: string; alpha: number } };
    assert.deepEqual(c.trigger, { kind: 'blend', alpha: 0.3 });
    assert.equal(c.status, 'pending');
    const got = (await (await fetch(`${svc.url}/admin/poison/${c.id}`, { headers: admin })).json()) as {
      id: string;
    };
    assert.equal(got.id, c.id);
    const stopped = (await (
      await fetch(`${svc.url}/admin/poison/${c.id}`, { method: 'DELETE', headers: admin })
    ).json()) as { status: string };
    assert.equal(stopped.status, 'stopped');
  });

  it('records Alertmanager alerts, counts them and emits the event', async () => {
    const socket = ioClient(svc.url, { transports: ['websocket'] });
    const received = new Promise<{ name: string; status: string }>((resolve) =>
      socket.on(EVENTS.alertReceived, resolve),
    );
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    const res = await fetch(`${svc.url}/hooks/alertmanager`, {
      method: 'POST',
      headers: adminHeaders('alert-token-0123456789abc'),
      body: json({
        version: '4',
        status: 'firing',
        alerts: [{ status: 'firing', labels: { alertname: 'BackdoorFlagged' }, fingerprint: 'f1' }],
      }),
    });
    assert.equal(res.status, 200);
    const event = await received;
    socket.close();
    assert.equal(event.name, 'BackdoorFlagged');
    const alerts = (await (await fetch(`${svc.url}/api/alerts`)).json()) as { firing: { name: string }[] };
    assert.deepEqual(
      alerts.firing.map((a) => a.name),
      ['BackdoorFlagged'],
    );
    const metrics = await (await fetch(`${svc.url}/metrics`)).text();
    assert.equal(metricValue(metrics, METRICS.alertsReceived, 'status="firing"'), 1);
  });

  it('changes the schedule and pauses at run time', async () => {
    const res = await fetch(`${svc.url}/admin/schedule`, {
      method: 'PUT',
      headers: admin,
      body: json({ schedule: 'STLR:0.5' }),
    });
    assert.deepEqual(await res.json(), { operator: 'stlr:0.5:0.1', effective: 'stlr:0.5:0.1' });
    assert.equal(
      (
        await fetch(`${svc.url}/admin/pause`, {
          method: 'POST',
          headers: { authorization: admin.authorization },
        })
      ).status,
      200,
    );
    const state = (await (await fetch(`${svc.url}/api/state`)).json()) as { paused: boolean };
    assert.equal(state.paused, true);
  });

  it('serves the vendored chart.js and the socket.io client', async () => {
    const chart = await fetch(`${svc.url}/vendor/chart.umd.js`);
    assert.equal(chart.status, 200);
    assert.ok((await chart.text()).length > 10_000);
    assert.equal((await fetch(`${svc.url}/socket.io/socket.io.js`)).status, 200);
    assert.equal((await fetch(`${svc.url}/vendor/other.js`)).status, 404);
  });
});
