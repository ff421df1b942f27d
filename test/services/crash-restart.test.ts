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
import { listeningUrl } from '../../services/listening-line.ts';
import { FsModelStore } from '../../services/registry/fs-store.ts';
import { ManagedProcess, waitFor } from '../infra/tools.ts';
import { adminHeaders, FAST_ENV, LISTEN_DEADLINE_MS, READY_DEADLINE_MS } from './helpers/service.ts';

const MAIN = new URL('../../services/main.ts', import.meta.url).pathname;
const MODEL = 'live-mnist';
let dataDir = '';
let child: ManagedProcess | undefined;

after(async () => {
  await child?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

interface Started {
  process: ManagedProcess;
  /** Where this run of the service listens: a new port at every start. */
  url: string;
}

/**
 * Starts the service on a port the OS picks (PORT=0) and reads it from the line it prints
 * once it listens. A port picked beforehand and reused across restarts stays free between a
 * kill and the next start, so another test's service or client could take it, and this
 * test would then drive that service. Fails at once if the process exits first, and after
 * LISTEN_DEADLINE_MS otherwise, with the service's last log lines either way.
 */
async function start(env: Record<string, string> = {}): Promise<Started> {
  const p = new ManagedProcess('service', process.execPath, ['--import', 'tsx', MAIN], {
    env: {
      ...process.env,
      ...FAST_ENV,
      // Logged into the pipe ManagedProcess drains, for the failure messages.
      LOG_LEVEL: 'info',
      PORT: '0',
      DATA_DIR: dataDir,
      CYCLE_INTERVAL_SECONDS: '1',
      ...env,
    },
  });
  child = p;
  const url = await waitFor('the service to listen', async () => listeningUrl(p.printed()), {
    timeoutMs: LISTEN_DEADLINE_MS,
    intervalMs: 100,
    alive: [p],
  });
  return { process: p, url };
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

/** Polls /api/state until `accept` takes it; fails at once if the process exits. */
function until(
  s: Started,
  what: string,
  accept: (state: State) => boolean,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<State> {
  return waitFor(
    what,
    async () => {
      const current = await state(s.url);
      return current && accept(current) ? current : undefined;
    },
    {
      timeoutMs: options.timeoutMs ?? READY_DEADLINE_MS,
      intervalMs: options.intervalMs ?? 200,
      alive: [s.process],
    },
  );
}

/** kill -9 of the service's process group (node and the tsx compiler it started). */
async function killHard(s: Started): Promise<void> {
  if (s.process.exited) throw new Error(`the service exited before the kill\n${s.process.tail()}`);
  const exited = new Promise((r) => s.process.child.once('exit', r));
  process.kill(-(s.process.child.pid as number), 'SIGKILL');
  await exited;
}

/** SIGTERM to the service process alone (as docker stop does); resolves with its exit code. */
async function terminate(s: Started): Promise<number | null> {
  if (s.process.exited) throw new Error(`the service exited before SIGTERM\n${s.process.tail()}`);
  const exited = new Promise<number | null>((r) => s.process.child.once('exit', (code) => r(code)));
  s.process.child.kill('SIGTERM');
  return exited;
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
  const promotedSeen = new Set<number>();
  // Kill while training, then while the step has just moved (saving/promoting), then while training again.
  const killWhen: ((s: State, before: State) => boolean)[] = [
    (s) => s.phase === 'training' && s.step >= 2,
    (s, before) => s.step > before.step,
    (s) => s.phase === 'training',
  ];
  let before: State | undefined;
  for (const shouldKill of killWhen) {
    const run = await start();
    const ready = await until(run, 'ready', (s) => s.ready);
    if (before) {
      const pointer = await verifyRegistry(promotedSeen);
      assert.equal(ready.model?.version, pointer.version, 'serves the last promoted version');
      assert.equal(ready.step, pointer.step, 'resumes the recorded step');
      assert.ok(ready.step >= before.step, 'the step never goes back');
    }
    const entry = ready;
    await until(
      run,
      'the kill point',
      (s) => {
        if (s.model) promotedSeen.add(s.model.version);
        return shouldKill(s, entry);
      },
      { timeoutMs: 60_000, intervalMs: 20 },
    );
    await killHard(run);
    const pointer = await verifyRegistry(promotedSeen);
    before = { ...entry, phase: 'killed', step: pointer.step, model: { version: pointer.version } };
  }

  // A clean restart finishes at least one more cycle, then SIGTERM exits 0.
  const last = await start();
  const resumed = await until(last, 'ready after the last kill', (s) => s.ready);
  assert.equal(resumed.model?.version, before?.model?.version);
  await until(last, 'a cycle after restart', (s) => s.step > resumed.step);
  assert.equal(await terminate(last), 0, last.process.tail());
  const final = await verifyRegistry(promotedSeen);
  assert.ok(final.step > resumed.step - 1);
});

async function admin(s: Started, method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${s.url}/admin${path}`, {
    method,
    headers: adminHeaders(),
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${await res.clone().text()}`);
  return res;
}

it('resumes the schedule, pause and campaigns after kill -9; a changed SCHEDULE wins', async () => {
  await rm(dataDir, { recursive: true, force: true });
  dataDir = await mkdtemp(join(tmpdir(), 'permanence-operator-'));
  const first = await start();
  await until(first, 'ready', (s) => s.ready);
  await admin(first, 'POST', '/pause', {});
  await admin(first, 'PUT', '/schedule', { schedule: 'stlr:0.5' });
  const campaign = (await (
    await admin(first, 'POST', '/poison', { attack: 'blend', mode: 'persistent', cycles: 3 })
  ).json()) as { id: string };
  await killHard(first);

  const second = await start();
  const resumed = await until(second, 'ready', (s) => s.ready);
  assert.equal(resumed.paused, true, 'still paused');
  assert.match(resumed.schedule.operator, /^stlr:0.5/, 'run-time schedule kept');
  assert.deepEqual(
    resumed.campaigns.map((c) => [c.id, c.status, c.cycles]),
    [[campaign.id, 'pending', 3]],
    'the campaign survived, not yet injected',
  );
  await killHard(second);

  const third = await start({ SCHEDULE: 'sgd:0.01' });
  const reconfigured = await until(third, 'ready', (s) => s.ready);
  assert.equal(reconfigured.schedule.operator, 'sgd:0.01', 'the new SCHEDULE replaces the stored choice');
  assert.equal(reconfigured.paused, true);
  assert.equal(reconfigured.campaigns[0]?.id, campaign.id);
  assert.equal(await terminate(third), 0, third.process.tail());
});
