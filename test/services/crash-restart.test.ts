/**
 * kill -9 the real process (npm start's entry) in the middle of cycles, restart it, and check
 * that every promoted version survives with valid checksums, the last promoted one is served
 * and the drift step resumes. Ends with SIGTERM, which must exit 0.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { FsModelStore } from '../../services/registry/fs-store.ts';
import { spawnService, type ServiceProcess } from '../helpers/service-process.ts';
import { adminHeaders, FAST_ENV, waitFor } from './helpers/service.ts';

const MODEL = 'live-mnist';
let dataDir = '';
let service: ServiceProcess | undefined;

after(async () => {
  await service?.kill();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/** The service on a 1 s cycle, on `dataDir` (which outlives it); ready when /api/state says so. */
function start(): Promise<ServiceProcess> {
  return spawnService(
    // Logged at info into the pipe spawnService reads, for the failure messages.
    { ...FAST_ENV, CYCLE_INTERVAL_SECONDS: '1', LOG_LEVEL: 'info' },
    { dataDir, isReady: async (url) => (await state(url))?.ready === true },
  );
}

interface State {
  ready: boolean;
  phase: string;
  step: number;
  paused: boolean;
  model: { version: number } | null;
  schedule: { operator: string };
  campaigns: { id: string; status: string; cycles: number }[];
}

async function state(url: string): Promise<State | undefined> {
  try {
    return (await (await fetch(`${url}/api/state`, { signal: AbortSignal.timeout(10_000) })).json()) as State;
  } catch {
    return undefined;
  }
}

/** Every promoted version is still complete and verified; returns the pointer. */
async function verifyRegistry(promotedSeen: Set<number>) {
  const store = new FsModelStore(dataDir);
  await store.init();
  for (const m of await store.listVersions(MODEL)) await store.loadVersion(MODEL, m.version);
  for (const v of promotedSeen) await store.loadVersion(MODEL, v);
  const pointer = await store.getPromoted(MODEL);
  assert.ok(pointer, 'the pointer survived');
  await store.loadVersion(MODEL, pointer.version);
  return pointer;
}

/** /api/state of a run that must still be alive: a run that died fails the poll at once, with its output. */
async function stateOf(svc: ServiceProcess): Promise<State | undefined> {
  if (!svc.running()) throw new Error(`the service exited unexpectedly:\n${svc.output()}`);
  return state(svc.url);
}

async function ready(svc: ServiceProcess): Promise<State> {
  return waitFor(async () => {
    const s = await stateOf(svc);
    return s?.ready ? s : undefined;
  }, 'ready');
}

it('survives kill -9 mid-cycle and resumes the promoted version and step', async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'permanence-crash-'));
  const promotedSeen = new Set<number>();
  // Kill while training, then while the step has just moved (saving/promoting), then while training again.
  const killWhen: ((s: State, before: State) => boolean)[] = [
    (s) => s.phase === 'training' && s.step >= 2,
    (s, before) => s.step > before.step,
    (s) => s.phase === 'training',
  ];
  let before: State | undefined;
  const svc = (service = await start());
  for (const shouldKill of killWhen) {
    if (before) await svc.restart();
    const entry = await ready(svc);
    if (before) {
      const pointer = await verifyRegistry(promotedSeen);
      assert.equal(entry.model?.version, pointer.version, 'serves the last promoted version');
      assert.equal(entry.step, pointer.step, 'resumes the recorded step');
      assert.ok(entry.step >= before.step, 'the step never goes back');
    }
    await waitFor(
      async () => {
        const s = await stateOf(svc);
        if (s?.model) promotedSeen.add(s.model.version);
        return s && shouldKill(s, entry) ? s : undefined;
      },
      'the kill point',
      3000,
      20,
    );
    await svc.kill();
    const pointer = await verifyRegistry(promotedSeen);
    before = { ...entry, phase: 'killed', step: pointer.step, model: { version: pointer.version } };
  }

  // A clean restart finishes at least one more cycle, then SIGTERM exits 0.
  await svc.restart();
  const resumed = await ready(svc);
  assert.equal(resumed.model?.version, before?.model?.version);
  await waitFor(async () => {
    const s = await stateOf(svc);
    return s && s.step > resumed.step ? s : undefined;
  }, 'a cycle after restart');
  assert.equal(await svc.stop(), 0);
  const final = await verifyRegistry(promotedSeen);
  assert.ok(final.step > resumed.step - 1);
});

async function admin(svc: ServiceProcess, method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${svc.url}/admin${path}`, {
    method,
    headers: adminHeaders(),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return res;
}

it('resumes the schedule, pause and campaigns after kill -9; a changed SCHEDULE wins', async () => {
  await rm(dataDir, { recursive: true, force: true });
  dataDir = await mkdtemp(join(tmpdir(), 'permanence-operator-'));
  const svc = (service = await start());
  await admin(svc, 'POST', '/pause', {});
  await admin(svc, 'PUT', '/schedule', { schedule: 'stlr:0.5' });
  const campaign = (await (
    await admin(svc, 'POST', '/poison', { attack: 'blend', mode: 'persistent', cycles: 3 })
  ).json()) as { id: string };
  await svc.kill();

  await svc.restart();
  const resumed = await ready(svc);
  assert.equal(resumed.paused, true, 'still paused');
  assert.match(resumed.schedule.operator, /^stlr:0.5/, 'run-time schedule kept');
  assert.deepEqual(
    resumed.campaigns.map((c) => [c.id, c.status, c.cycles]),
    [[campaign.id, 'pending', 3]],
    'the campaign survived, not yet injected',
  );
  await svc.kill();

  await svc.restart({ SCHEDULE: 'sgd:0.01' });
  const reconfigured = await ready(svc);
  assert.equal(reconfigured.schedule.operator, 'sgd:0.01', 'the new SCHEDULE replaces the stored choice');
  assert.equal(reconfigured.paused, true);
  assert.equal(reconfigured.campaigns[0]?.id, campaign.id);
  assert.equal(await svc.stop(), 0);
});
