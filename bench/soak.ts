/**
 * Soak test of the live service (docs/service.md, Reliability): hours of cycles compressed
 * into minutes. The service runs as its own process with a 1 s cycle; the bench keeps a
 * constant /predict and /healthz load, sends hostile PNGs (a 74-byte file claiming
 * 12000x12000 pixels) all along, makes random admin changes, and kill -9s and restarts the
 * service at random moments. After each restart it checks that every acknowledged change
 * survived (the last acknowledged schedule and pause, every acknowledged campaign and stop;
 * a change whose request was cut by the kill may or may not have landed) and that no
 * one-shot campaign was injected twice. Prints a JSON report and writes it to bench/results.
 *
 *   node --import tsx bench/soak.ts [--minutes 10] [--kill-every 20] [--rate 20] [--hostile-rate 5]
 *
 * `--kill-every 0` never kills (a latency run); `--hostile-rate 0` sends no hostile PNG (its
 * baseline).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deflateSync } from 'node:zlib';
import { spawnService, type ServiceProcess } from '../test/helpers/service-process.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    'kill-every': { type: 'string', default: '20' },
    rate: { type: 'string', default: '20' },
    'hostile-rate': { type: 'string', default: '5' },
    port: { type: 'string', default: '18997' },
  },
});
const minutes = Number(values.minutes);
const killEvery = Number(values['kill-every']);
const rate = Number(values.rate);
const hostileRate = Number(values['hostile-rate']);
const port = Number(values.port);
const token = 'soak-admin-token-0123456789';
const base = `http://127.0.0.1:${port}`;
const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const SCHEDULES = ['sgd:0.03', 'sgd:0.02', 'sgd:0.01', 'stlr:0.5:0.1', 'stlr:0.3:0.2'];

/** A PNG whose IHDR claims `width` x `height` pixels, with a few bytes of image data. */
function pngClaiming(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // grayscale
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.alloc(10))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function crc32(data: Buffer): number {
  let c = ~0;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

const HOSTILE = new Uint8Array(pngClaiming(12000, 12000));
const IMAGE = JSON.stringify({ image: new Array(784).fill(0.1) });

interface Lat {
  ms: number[];
}
const latency = { healthz: { ms: [] } as Lat, predict: { ms: [] } as Lat };
const counts = {
  predict: 0,
  healthz: 0,
  hostile: 0,
  hostileRejected: 0,
  admin: 0,
  adminAcknowledged: 0,
  unavailable: 0,
  serverErrors: 0,
  unexpected: [] as string[],
};

let service: ServiceProcess | undefined;
let up = false;

/** A 1 s cycle, small data, no rate limit; the data folder survives every kill -9. */
const ENV = {
  ADMIN_TOKEN: token,
  LOG_LEVEL: 'silent',
  F0_EPOCHS: '1',
  POOL_SUBSET: '256',
  UPDATE_EPOCHS: '1',
  EVAL_SUBSET: '300',
  CYCLE_INTERVAL_SECONDS: '1',
  RETAIN_RECENT: '50',
  RATE_LIMIT_PER_MINUTE: '0',
  MAX_CAMPAIGNS: '200',
};

interface Answer {
  status: number;
  text: string;
}

async function timed(path: string, init: RequestInit | undefined, into?: Lat): Promise<Answer | undefined> {
  const t0 = performance.now();
  try {
    const response = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(5000) });
    const res = { status: response.status, text: await response.text() };
    // Latency is only meaningful while the service is up (not while it restarts).
    if (into && up) into.ms.push(performance.now() - t0);
    if (res.status >= 500 && res.status !== 503) {
      counts.serverErrors++;
      counts.unexpected.push(`${init?.method ?? 'GET'} ${path}: ${res.status}`);
    }
    return res;
  } catch {
    counts.unavailable++;
    return undefined;
  }
}

/** Fires `fn` `perSecond` times a second until `until`, without waiting for answers. */
async function steady(perSecond: number, until: number, fn: () => Promise<unknown>): Promise<void> {
  const inflight = new Set<Promise<unknown>>();
  if (perSecond <= 0) return;
  for (let next = performance.now(); Date.now() < until; next += 1000 / perSecond) {
    const p = fn().finally(() => inflight.delete(p));
    inflight.add(p);
    await sleep(Math.max(0, next + 1000 / perSecond - performance.now()));
  }
  await Promise.all(inflight);
}

/** What the operator was told happened, and what may have happened (answer lost in a kill). */
const expected = {
  schedule: { acked: 'sgd:0.03', maybe: new Set<string>() },
  paused: { acked: false, maybe: new Set<boolean>() },
  campaigns: new Set<string>(),
  stopped: new Set<string>(),
};
let lost = 0;
const lostDetails: string[] = [];

async function admin(method: string, path: string, body?: unknown): Promise<Answer | undefined> {
  counts.admin++;
  const res = await timed(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (res && res.status < 300) counts.adminAcknowledged++;
  return res;
}

async function randomAdminAction(): Promise<void> {
  const pick = Math.random();
  if (pick < 0.3) {
    const schedule = SCHEDULES[Math.floor(Math.random() * SCHEDULES.length)];
    expected.schedule.maybe.add(schedule);
    const res = await admin('PUT', '/admin/schedule', { schedule });
    if (res?.status === 200) expected.schedule = { acked: schedule, maybe: new Set() };
  } else if (pick < 0.5) {
    const paused = Math.random() < 0.3;
    expected.paused.maybe.add(paused);
    const res = await admin('POST', paused ? '/admin/pause' : '/admin/resume');
    if (res?.status === 200) expected.paused = { acked: paused, maybe: new Set() };
  } else if (pick < 0.6) {
    const res = await admin('POST', '/admin/poison', { attack: 'badnets', ratio: 0.05, target: 1 });
    if (res?.status === 202) expected.campaigns.add((JSON.parse(res.text) as { id: string }).id);
  } else if (pick < 0.7) {
    const id = [...expected.campaigns].at(-1);
    if (id === undefined) return;
    const res = await admin('DELETE', `/admin/poison/${id}`);
    if (res?.status === 200) expected.stopped.add(id);
  } else {
    const page = await timed('/api/models?limit=20', undefined);
    if (page?.status !== 200) return;
    const { versions } = JSON.parse(page.text) as { versions: { version: number; status: string }[] };
    const target = versions.filter((v) => v.status === 'candidate').at(-1);
    if (target) await admin('POST', '/admin/rollback', { version: target.version });
  }
}

interface State {
  ready: boolean;
  step: number;
  paused: boolean;
  schedule: { operator: string };
  campaigns: { id: string; status: string; mode: string; injectedSteps: number[]; cycles: number }[];
}

/** After a restart: every acknowledged change is there; counts what is not. */
function check(s: State): void {
  const miss = (what: string) => {
    lost++;
    lostDetails.push(what);
  };
  const { schedule, paused } = expected;
  if (s.schedule.operator !== schedule.acked && !schedule.maybe.has(s.schedule.operator))
    miss(`schedule ${s.schedule.operator}, acknowledged ${schedule.acked}`);
  if (s.paused !== paused.acked && !paused.maybe.has(s.paused))
    miss(`paused ${s.paused}, acknowledged ${paused.acked}`);
  const byId = new Map(s.campaigns.map((c) => [c.id, c]));
  for (const id of expected.campaigns) if (!byId.has(id)) miss(`campaign ${id} missing`);
  for (const id of expected.stopped) {
    const c = byId.get(id);
    if (c && (c.status === 'pending' || c.status === 'active'))
      miss(`campaign ${id} injecting after its stop`);
  }
  for (const c of s.campaigns)
    if (c.injectedSteps.length > c.cycles) miss(`campaign ${c.id} injected ${c.injectedSteps.length} times`);
  // Once checked, a change whose answer was lost is settled either way: what is stored now.
  expected.schedule = { acked: s.schedule.operator, maybe: new Set() };
  expected.paused = { acked: s.paused, maybe: new Set() };
}

async function fetchState(): Promise<State | undefined> {
  try {
    return (await (await fetch(`${base}/api/state`)).json()) as State;
  } catch {
    return undefined; // not listening yet
  }
}

async function waitReady(): Promise<State> {
  for (;;) {
    const s = await fetchState();
    if (s?.ready) return s;
    await sleep(100);
  }
}

function percentile(xs: number[], p: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const startedAt = Date.now();
  const until = startedAt + minutes * 60_000;
  const svc = await spawnService(ENV, {
    port,
    output: 'stderr',
    ownGroup: false,
    isReady: async () => (await fetchState())?.ready === true,
    readyWithinMs: Infinity,
  });
  service = svc;
  let state = await waitReady();
  up = true;
  let restarts = 0;
  const readyMs: number[] = [];
  const firstStep = state.step;

  const loads = [
    steady(rate, until, async () => {
      counts.predict++;
      await timed(
        '/predict',
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: IMAGE },
        latency.predict,
      );
    }),
    steady(5, until, async () => {
      counts.healthz++;
      await timed('/healthz', undefined, latency.healthz);
    }),
    steady(hostileRate, until, async () => {
      counts.hostile++;
      const res = await timed('/predict', {
        method: 'POST',
        headers: { 'content-type': 'image/png' },
        body: HOSTILE,
      });
      if (res?.status === 400) counts.hostileRejected++;
      else if (res && res.status !== 503) counts.unexpected.push(`hostile PNG answered ${res.status}`);
    }),
    (async () => {
      while (Date.now() < until) {
        if (up) await randomAdminAction();
        await sleep(500 + Math.random() * 1000);
      }
    })(),
  ];

  while (killEvery > 0 && Date.now() < until - 5000) {
    await sleep(killEvery * 1000 * (0.5 + Math.random()));
    if (Date.now() >= until - 5000) break;
    up = false;
    await svc.kill();
    restarts++;
    const t0 = Date.now();
    await svc.restart();
    state = await waitReady();
    readyMs.push(Date.now() - t0);
    check(state);
    up = true;
  }
  await Promise.all(loads);
  const final = await waitReady();
  check(final);
  const metrics = (await (await fetch(`${base}/api/models?limit=1`)).json()) as {
    versions: { version: number }[];
  };
  await svc.stop();

  const report = {
    bench: 'soak',
    machine: 'this 2-core VM',
    minutes,
    killEverySeconds: killEvery,
    predictRate: rate,
    hostilePngRate: hostileRate,
    cycles: { driftSteps: final.step - firstStep, versionsWritten: metrics.versions[0]?.version ?? 0 },
    restarts,
    restartToReadyMs: readyMs.length > 0 ? { p50: percentile(readyMs, 50), max: Math.max(...readyMs) } : null,
    requests: {
      predict: counts.predict,
      healthz: counts.healthz,
      hostilePng: counts.hostile,
      hostilePngRejected400: counts.hostileRejected,
      admin: counts.admin,
      adminAcknowledged: counts.adminAcknowledged,
      refusedWhileRestarting: counts.unavailable,
    },
    serverErrors: counts.serverErrors,
    unexpected: counts.unexpected.slice(0, 20),
    acknowledgedChangesLost: lost,
    lostDetails: lostDetails.slice(0, 20),
    latencyMsWhileHostilePngs: {
      healthz: {
        p50: percentile(latency.healthz.ms, 50),
        p99: percentile(latency.healthz.ms, 99),
        n: latency.healthz.ms.length,
      },
      predict: {
        p50: percentile(latency.predict.ms, 50),
        p99: percentile(latency.predict.ms, 99),
        n: latency.predict.ms.length,
      },
    },
  };
  console.log(JSON.stringify(report, null, 2));
  const dir = new URL('results/', import.meta.url).pathname;
  await mkdir(dir, { recursive: true });
  await writeFile(
    join(dir, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    `${JSON.stringify(report, null, 2)}\n`,
  );
}

/** On any failure: kill -9 the service and remove its data folder before exiting. */
async function abort(err: unknown): Promise<never> {
  console.error(err);
  await service?.kill();
  await service?.stop();
  process.exit(1);
}

process.on('unhandledRejection', (err) => void abort(err));
main().catch(abort);
