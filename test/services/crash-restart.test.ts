/**
 * kill -9 the real process (npm start's entry) in the middle of cycles, restart it, and check
 * that every promoted version survives with valid checksums, the last promoted one is served
 * and the drift step resumes. Ends with SIGTERM, which must exit 0.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { FsModelStore } from '../../services/registry/fs-store.ts';
import { adminHeaders, FAST_ENV, waitFor } from './helpers/service.ts';

const MAIN = new URL('../../services/main.ts', import.meta.url).pathname;
const MODEL = 'live-mnist';
let dataDir = '';
let child: ChildProcess | undefined;

after(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

function start(port: number, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      ...FAST_ENV,
      PORT: String(port),
      DATA_DIR: dataDir,
      CYCLE_INTERVAL_SECONDS: '1',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'ignore'],
  });
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

async function state(port: number): Promise<State | undefined> {
  try {
    return (await (await fetch(`http://127.0.0.1:${port}/api/state`)).json()) as State;
  } catch {
    return undefined;
  }
}

async function killHard(p: ChildProcess): Promise<void> {
  const exited = new Promise((r) => p.once('exit', r));
  p.kill('SIGKILL');
  await exited;
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

it('survives kill -9 mid-cycle and resumes the promoted version and step', async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'permanence-crash-'));
  const port = await freePort();
  const promotedSeen = new Set<number>();
  // Kill while training, then while the step has just moved (saving/promoting), then while training again.
  const killWhen: ((s: State, before: State) => boolean)[] = [
    (s) => s.phase === 'training' && s.step >= 2,
    (s, before) => s.step > before.step,
    (s) => s.phase === 'training',
  ];
  let before: State | undefined;
  for (const shouldKill of killWhen) {
    child = start(port);
    const ready = await waitFor(async () => {
      const s = await state(port);
      return s?.ready ? s : undefined;
    }, 'ready');
    if (before) {
      const pointer = await verifyRegistry(promotedSeen);
      assert.equal(ready.model?.version, pointer.version, 'serves the last promoted version');
      assert.equal(ready.step, pointer.step, 'resumes the recorded step');
      assert.ok(ready.step >= before.step, 'the step never goes back');
    }
    const entry = ready;
    await waitFor(
      async () => {
        const s = await state(port);
        if (s?.model) promotedSeen.add(s.model.version);
        return s && shouldKill(s, entry) ? s : undefined;
      },
      'the kill point',
      3000,
      20,
    );
    await killHard(child);
    const pointer = await verifyRegistry(promotedSeen);
    before = { ...entry, phase: 'killed', step: pointer.step, model: { version: pointer.version } };
  }

  // A clean restart finishes at least one more cycle, then SIGTERM exits 0.
  child = start(port);
  const resumed = await waitFor(async () => {
    const s = await state(port);
    return s?.ready ? s : undefined;
  }, 'ready after the last kill');
  assert.equal(resumed.model?.version, before?.model?.version);
  await waitFor(async () => {
    const s = await state(port);
    return s && s.step > resumed.step ? s : undefined;
  }, 'a cycle after restart');
  const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
  const final = await verifyRegistry(promotedSeen);
  assert.ok(final.step > resumed.step - 1);
});

async function admin(port: number, method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`http://127.0.0.1:${port}/admin${path}`, {
    method,
    headers: adminHeaders(),
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return res;
}

async function ready(port: number): Promise<State> {
  return waitFor(async () => {
    const s = await state(port);
    return s?.ready ? s : undefined;
  }, 'ready');
}

it('resumes the schedule, pause and campaigns after kill -9; a changed SCHEDULE wins', async () => {
  await rm(dataDir, { recursive: true, force: true });
  dataDir = await mkdtemp(join(tmpdir(), 'permanence-operator-'));
  const port = await freePort();
  child = start(port);
  await ready(port);
  await admin(port, 'POST', '/pause', {});
  await admin(port, 'PUT', '/schedule', { schedule: 'stlr:0.5' });
  const campaign = (await (
    await admin(port, 'POST', '/poison', { attack: 'blend', mode: 'persistent', cycles: 3 })
  ).json()) as { id: string };
  await killHard(child);

  child = start(port);
  const resumed = await ready(port);
  assert.equal(resumed.paused, true, 'still paused');
  assert.match(resumed.schedule.operator, /^stlr:0.5/, 'run-time schedule kept');
  assert.deepEqual(
    resumed.campaigns.map((c) => [c.id, c.status, c.cycles]),
    [[campaign.id, 'pending', 3]],
    'the campaign survived, not yet injected',
  );
  await killHard(child);

  child = start(port, { SCHEDULE: 'sgd:0.01' });
  const reconfigured = await ready(port);
  assert.equal(reconfigured.schedule.operator, 'sgd:0.01', 'the new SCHEDULE replaces the stored choice');
  assert.equal(reconfigured.paused, true);
  assert.equal(reconfigured.campaigns[0]?.id, campaign.id);
  const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  assert.equal(await exited, 0);
});
