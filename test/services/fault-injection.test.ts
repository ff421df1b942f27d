/**
 * Fault injection against the real service (real worker, real filesystem registry): hostile
 * and sloppy requests, damaged and lost registry files, writes that fail, a crash between
 * the pointer write and the operator-state write, campaigns that cannot fit a batch, and
 * registry growth. One registry is built once (F0 and two cycles); each case starts the
 * service on a copy of it, damages the copy first, and checks what the service answers.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { METRICS } from '../../services/contract.ts';
import type { CycleReport } from '../../services/loop/live-loop.ts';
import { FsModelStore } from '../../services/registry/fs-store.ts';
import { adminHeaders, metricValue, startTestService, type TestService } from './helpers/service.ts';

const MODEL = 'live-mnist';
/** A service that never gets ready fails its case instead of hanging the suite. */
const CASE = { timeout: 180_000 };
let base = '';
const dirs: string[] = [];
let svc: TestService | undefined;

/** A copy of the base registry, damaged by `damage`, served by a fresh service. */
async function serveCopy(
  damage: (modelDir: string) => Promise<void> = async () => undefined,
  env: Record<string, string> = {},
  store?: (dir: string) => FsModelStore,
): Promise<TestService> {
  const dir = await mkdtemp(join(tmpdir(), 'permanence-fault-'));
  dirs.push(dir);
  await cp(base, dir, { recursive: true });
  await damage(join(dir, 'models', MODEL));
  svc = await startTestService(env, { dataDir: dir, store: store?.(dir) });
  await svc.ready;
  return svc;
}

async function stop(): Promise<void> {
  await svc?.dispose();
  svc = undefined;
}

async function json<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T; text: string }> {
  const res = await fetch(`${svc!.url}${path}`, init);
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, text };
}

const admin = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: adminHeaders(),
  body: body === undefined ? undefined : JSON.stringify(body),
});

interface Readyz {
  ready: boolean;
  modelVersion: number | null;
  registry: { status: string; fallback: boolean; faults: { kind: string; detail: string }[] };
}

before(async () => {
  // F0 (v1), then v2 and v3 promoted by cycles.
  const built = await startTestService();
  base = built.dataDir;
  await built.ready;
  for (let i = 0; i < 2; i++)
    assert.equal(((await built.loop.runCycle('admin')) as CycleReport).outcome, 'success');
  await built.close();
});

after(async () => {
  await stop();
  for (const d of [...dirs, base]) if (d) await rm(d, { recursive: true, force: true });
});

describe('bounded and strict input', () => {
  before(async () => {
    await serveCopy(undefined, { RATE_LIMIT_PER_MINUTE: '40' });
  });
  after(stop);

  it('refuses trailing junk after a schedule and extra schedule fields, changing nothing', CASE, async () => {
    for (const schedule of ['sgd:0.03:junk', 'sgd:0.03x', 'stlr:0.5:0.2:9', 'sgd:0x1']) {
      const res = await json<{ field: string }>('/admin/schedule', admin('PUT', { schedule }));
      assert.equal(res.status, 400, schedule);
      assert.equal(res.body.field, 'body.schedule');
    }
    assert.equal(svc!.loop.state().schedule.operator, 'sgd:0.03');
  });

  it('refuses a __proto__ key inside a trigger (a record would drop it silently)', CASE, async () => {
    const res = await fetch(`${svc!.url}/admin/poison`, {
      method: 'POST',
      headers: adminHeaders(),
      body: '{"attack":"blend","trigger":{"__proto__":5},"ratio":0.1}',
    });
    assert.equal(res.status, 400);
    assert.equal(svc!.loop.state().campaigns.length, 0);
  });

  it('answers a 60 kB value with a short error that does not echo it', CASE, async () => {
    const huge = 'x'.repeat(60_000);
    for (const [path, init] of [
      ['/admin/poison', admin('POST', { attack: huge })],
      ['/admin/poison', admin('POST', { attack: 'badnets', trigger: { [huge]: 1 } })],
      ['/admin/schedule', admin('PUT', { schedule: huge.slice(0, 50_000) })],
    ] as const) {
      const res = await json<{ error: string }>(path, init);
      assert.equal(res.status, 400);
      assert.ok(res.text.length < 2000, `${path}: ${res.text.length} bytes`);
    }
  });

  it('pages GET /api/models and validates its query', CASE, async () => {
    const first = await json<{ versions: { version: number }[]; nextCursor: number | null }>(
      '/api/models?limit=2',
    );
    assert.deepEqual(
      first.body.versions.map((v) => v.version),
      [3, 2],
    );
    assert.equal(first.body.nextCursor, 2);
    const rest = await json<{ versions: { version: number }[]; nextCursor: number | null }>(
      `/api/models?limit=2&cursor=${first.body.nextCursor}`,
    );
    assert.deepEqual(
      rest.body.versions.map((v) => v.version),
      [1],
    );
    assert.equal(rest.body.nextCursor, null);
    for (const q of ['limit=0', 'limit=100000', 'cursor=abc', 'limit=2x', 'junk=1'])
      assert.equal((await json(`/api/models?${q}`)).status, 400, q);
  });

  it('limits requests per client on /predict and /api, never the probes', CASE, async () => {
    let limited = 0;
    for (let i = 0; i < 60; i++) if ((await fetch(`${svc!.url}/api/state`)).status === 429) limited++;
    assert.ok(limited >= 1, 'the 41st request of the minute is refused');
    assert.equal((await fetch(`${svc!.url}/healthz`)).status, 200);
    assert.equal((await fetch(`${svc!.url}/readyz`)).status, 200);
    assert.equal((await fetch(`${svc!.url}/metrics`)).status, 200);
  });
});

describe('self-healing registry', () => {
  afterEach(stop);

  it('starts from the configuration when operator.json is truncated, and reports it', CASE, async () => {
    await serveCopy(async (m) => {
      await writeFile(join(m, 'operator.json'), '{"format":1,"schedule":"stlr:0.5","pa');
    });
    const r = await json<Readyz>('/readyz');
    assert.equal(r.status, 200);
    assert.equal(r.body.ready, true);
    assert.ok(r.body.registry.faults.some((f) => f.kind === 'operator_state'));
    const metrics = await (await fetch(`${svc!.url}/metrics`)).text();
    assert.equal(metricValue(metrics, METRICS.registryFaults, 'kind="operator_state"'), 1);
    // The next change rewrites it whole.
    assert.equal((await json('/admin/schedule', admin('PUT', { schedule: 'sgd:0.02' }))).status, 200);
    const saved = JSON.parse(
      await readFile(join(svc!.dataDir, 'models', MODEL, 'operator.json'), 'utf8'),
    ) as {
      schedule: string;
    };
    assert.equal(saved.schedule, 'sgd:0.02');
  });

  it(
    'serves the last version that verifies when the promoted model.bin is damaged; rollback works',
    CASE,
    async () => {
      await serveCopy(async (m) => {
        await truncate(join(m, 'v3', 'model.bin'), 100);
      });
      const r = await json<Readyz>('/readyz');
      assert.equal(r.status, 200);
      assert.equal(r.body.modelVersion, 2, 'the previous promoted version');
      assert.equal(r.body.registry.fallback, true);
      assert.ok(r.body.registry.faults.some((f) => f.kind === 'model' && f.detail.includes('v3')));
      const metrics = await (await fetch(`${svc!.url}/metrics`)).text();
      assert.equal(metricValue(metrics, METRICS.registryFallback), 1);
      assert.equal(metricValue(metrics, METRICS.registryFaults, 'kind="model"'), 1);
      const rolled = await json<{ version: number }>('/admin/rollback', admin('POST', { version: 1 }));
      assert.equal(rolled.status, 200);
      assert.equal(rolled.body.version, 1);
      const again = await json<{ error: string }>('/admin/rollback', admin('POST', { version: 3 }));
      assert.equal(again.status, 422, 'the damaged version is refused with the reason');
      assert.match(again.body.error, /model\.bin/);
    },
  );

  it("keeps the operator's rollback when the pointer file is lost", CASE, async () => {
    await serveCopy(async (m) => {
      // The operator rolled back to v1 in the previous run, then promoted.json was lost.
      const store = new FsModelStore(join(m, '..', '..'));
      await store.promote(MODEL, 1, 2, 'rollback');
      await rm(join(m, 'promoted.json'));
    });
    const r = await json<Readyz>('/readyz');
    assert.equal(r.body.modelVersion, 1, 'not the newest version');
    assert.ok(r.body.registry.faults.some((f) => f.kind === 'pointer'));
    assert.equal(svc!.loop.currentStep(), 2, 'the drift step does not move back');
    const pointer = JSON.parse(
      await readFile(join(svc!.dataDir, 'models', MODEL, 'promoted.json'), 'utf8'),
    ) as {
      version: number;
      reason: string;
    };
    assert.deepEqual([pointer.version, pointer.reason], [1, 'recovered']);
  });

  it('recovers from a truncated pointer', CASE, async () => {
    await serveCopy(async (m) => {
      await writeFile(join(m, 'promoted.json'), '{"name":"live-mnist","vers');
    });
    const r = await json<Readyz>('/readyz');
    assert.equal(r.status, 200);
    assert.equal(r.body.modelVersion, 3);
  });

  it('answers 422, never 500, for a damaged older version, and still lists the others', CASE, async () => {
    await serveCopy(async (m) => {
      await writeFile(join(m, 'v1', 'metrics.json'), '{}');
      await writeFile(join(m, 'v2', 'manifest.json'), '{"name": 1}');
    });
    for (const v of [1, 2]) {
      const res = await json<{ error: string }>(`/api/models/${v}`);
      assert.equal(res.status, 422, `GET v${v}`);
      assert.equal(
        (await json('/admin/rollback', admin('POST', { version: v }))).status,
        422,
        `rollback v${v}`,
      );
    }
    const list = await json<{ versions: { version: number }[] }>('/api/models');
    assert.equal(list.status, 200);
    assert.deepEqual(
      list.body.versions.map((v) => v.version),
      [3, 1],
    );
  });

  it('re-writes a pointer lost while running before the next cycle', CASE, async () => {
    await serveCopy();
    await rm(join(svc!.dataDir, 'models', MODEL, 'promoted.json'));
    const report = (await svc!.loop.runCycle('admin')) as CycleReport;
    assert.equal(report.outcome, 'success');
    const r = await json<Readyz>('/readyz');
    assert.ok(r.body.registry.faults.some((f) => f.kind === 'pointer'));
  });
});

describe('durable acknowledgements', () => {
  afterEach(stop);

  it('answers 503 and changes nothing when operator.json cannot be written', CASE, async () => {
    await serveCopy();
    const m = join(svc!.dataDir, 'models', MODEL);
    // A directory where the file should go: every replace of it fails, as on a full disk.
    await rm(join(m, 'operator.json'), { force: true });
    await mkdir(join(m, 'operator.json', 'blocked'), { recursive: true });
    const put = await json('/admin/schedule', admin('PUT', { schedule: 'sgd:0.01' }));
    assert.equal(put.status, 503);
    assert.equal(svc!.loop.state().schedule.operator, 'sgd:0.03', 'not applied in memory either');
    const poison = await json('/admin/poison', admin('POST', { attack: 'badnets', ratio: 0.1 }));
    assert.equal(poison.status, 503);
    assert.equal(svc!.loop.state().campaigns.length, 0);
    assert.equal((await json('/admin/pause', admin('POST'))).status, 503);
    assert.equal(svc!.loop.state().paused, false);
    const leftovers = (await readdir(m)).filter((e) => e.endsWith('.tmp'));
    assert.deepEqual(leftovers, [], 'failed writes leave no temp file');
  });

  it('serves read-only with a clear status when the store refuses writes', CASE, async () => {
    await serveCopy(undefined, {}, (dir) => new ReadOnlyStore(dir));
    const health = await json<{ status: string }>('/healthz');
    assert.equal(health.status, 200);
    assert.equal(health.body.status, 'read-only');
    const r = await json<Readyz>('/readyz');
    assert.equal(r.body.ready, true, 'still serving predictions');
    assert.equal(r.body.modelVersion, 3);
    const predict = await fetch(`${svc!.url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ image: new Array(784).fill(0) }),
    });
    assert.equal(predict.status, 200);
    const put = await json<{ error: string }>('/admin/schedule', admin('PUT', { schedule: 'sgd:0.01' }));
    assert.equal(put.status, 503);
    assert.match(put.body.error, /read-only/);
    assert.equal((await json('/admin/cycle', admin('POST'))).status, 503);
    const metrics = await (await fetch(`${svc!.url}/metrics`)).text();
    assert.equal(metricValue(metrics, METRICS.registryReadOnly), 1);
  });
});

describe('crash windows', () => {
  afterEach(stop);

  it(
    'does not inject a one-shot campaign twice after a crash before the operator-state write',
    CASE,
    async () => {
      await serveCopy();
      const created = await json<{ id: string }>(
        '/admin/poison',
        admin('POST', { attack: 'badnets', ratio: 0.1 }),
      );
      assert.equal(created.status, 202);
      const m = join(svc!.dataDir, 'models', MODEL);
      const beforeCycle = await readFile(join(m, 'operator.json'));
      const report = (await svc!.loop.runCycle('admin')) as CycleReport;
      assert.deepEqual(report.poisoned, [created.body.id]);
      await svc!.close();
      // The pointer landed, the operator-state write did not (kill -9 between the two).
      await writeFile(join(m, 'operator.json'), beforeCycle);
      svc = await startTestService({}, { dataDir: svc!.dataDir });
      await svc.ready;
      const campaign = svc.loop.state().campaigns.find((c) => c.id === created.body.id);
      assert.equal(campaign?.status, 'finished');
      assert.deepEqual(campaign?.injectedVersions, [report.version]);
      const next = (await svc.loop.runCycle('admin')) as CycleReport;
      assert.deepEqual(next.poisoned, [], 'not poisoned a second time');
    },
  );
});

describe('campaign admission', () => {
  afterEach(stop);

  it(
    'refuses, with 409 and the reason, a campaign the batches cannot hold beside the others',
    CASE,
    async () => {
      await serveCopy();
      assert.equal(
        (await json('/admin/poison', admin('POST', { attack: 'badnets', ratio: 0.5 }))).status,
        202,
      );
      const second = await json<{ error: string }>(
        '/admin/poison',
        admin('POST', { attack: 'blend', ratio: 0.5 }),
      );
      assert.equal(second.status, 409);
      assert.match(second.body.error, /would not fit/);
      assert.equal((await json('/admin/poison', admin('POST', { attack: 'blend', ratio: 0.3 }))).status, 202);
      const report = (await svc!.loop.runCycle('admin')) as CycleReport;
      assert.equal(report.outcome, 'success');
    },
  );

  it('fails only the campaign a cycle cannot apply; the next cycles succeed', CASE, async () => {
    await serveCopy();
    // Two campaigns admitted by an older version (or edited by hand): together they cannot fit.
    await json(
      '/admin/poison',
      admin('POST', { attack: 'badnets', ratio: 0.5, mode: 'persistent', cycles: 5 }),
    );
    await svc!.close();
    const path = join(svc!.dataDir, 'models', MODEL, 'operator.json');
    const state = JSON.parse(await readFile(path, 'utf8')) as { campaigns: { id: string }[] };
    state.campaigns.push({ ...state.campaigns[0], id: 'c0000beef' });
    await writeFile(path, JSON.stringify(state));
    svc = await startTestService({}, { dataDir: svc!.dataDir });
    await svc.ready;
    const first = (await svc.loop.runCycle('admin')) as CycleReport;
    assert.equal(first.outcome, 'failed');
    const statuses = svc.loop.state().campaigns.map((c) => c.status);
    assert.deepEqual(statuses.sort(), ['failed', 'pending']);
    const second = (await svc.loop.runCycle('admin')) as CycleReport;
    assert.equal(second.outcome, 'success');
    assert.equal(second.poisoned.length, 1);
  });
});

describe('retention', () => {
  afterEach(stop);

  it('keeps the promoted, the recent and the campaign versions only', CASE, async () => {
    await serveCopy(undefined, { RETAIN_RECENT: '2' });
    const created = await json<{ id: string }>(
      '/admin/poison',
      admin('POST', { attack: 'badnets', ratio: 0.1 }),
    );
    const poisoned = (await svc!.loop.runCycle('admin')) as CycleReport;
    assert.deepEqual(poisoned.poisoned, [created.body.id]);
    for (let i = 0; i < 3; i++) await svc!.loop.runCycle('admin');
    const numbers = await svc!.store.listVersionNumbers(MODEL);
    // v1-v7: v4 carried the campaign, v6 and v7 are the newest (v7 promoted).
    assert.deepEqual(numbers, [poisoned.version, 6, 7]);
    const metrics = await (await fetch(`${svc!.url}/metrics`)).text();
    assert.equal(metricValue(metrics, METRICS.versionsRemoved), 4);
  });
});

/** The real filesystem store on a mount that refuses writes (EROFS), as `mount -o ro` does. */
class ReadOnlyStore extends FsModelStore {
  override async probeWritable(): Promise<void> {
    throw erofs();
  }

  protected override async replace(): Promise<void> {
    throw erofs();
  }

  override async saveVersion(): Promise<never> {
    throw erofs();
  }
}

function erofs(): Error {
  return Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS' });
}
