/**
 * The dashboard's data logic (dashboards/public/js/store.js, palette.js) in node: how REST
 * snapshots and socket.io events become chart series. The payloads have the shapes the
 * service sends (services/loop/live-loop.ts, campaigns.ts, alerts.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';

interface Point {
  x: number;
  y: number;
  step?: number;
}
interface StoreModule {
  createStore(): { log: { t: number; text: string }[]; versions: Map<number, unknown> };
  applyState(store: unknown, state: unknown): void;
  applyModels(store: unknown, models: unknown): void;
  applyVersionMetrics(store: unknown, version: number, metrics: unknown): void;
  applyAlerts(store: unknown, alerts: unknown): void;
  applyEvent(store: unknown, name: string, payload: unknown, now?: number): boolean;
  accuracySeries(store: unknown): { promoted: Point[]; rejected: Point[] };
  asrSeries(store: unknown): { id: string; label: string; points: Point[] }[];
  anomalySeries(store: unknown): { defense: string; points: (Point & { flagged: boolean })[] }[];
  survivabilityBars(store: unknown): { id: string; value: number }[];
  timelineSeries(store: unknown): { served: Point[]; drift: Point[]; marks: Record<string, Point[]> };
  alertLists(store: unknown): { firing: { key: string }[]; resolved: { key: string }[] };
  chartMarkers(store: unknown): { x: number; kind: string; label: string }[];
  applyScanHistory(store: unknown, history: unknown): void;
  servedScans(store: unknown): { at: string; anomalyIndex: number }[];
  userAliases(store: unknown): { alias: string; version: number }[];
  replaySeries(store: unknown): {
    id: string;
    policy: string;
    status: string;
    campaign: string | null;
    accuracy: Point[];
    asr: Point[];
  } | null;
}
interface PaletteModule {
  seriesStyle(i: number): { colour: string; dash: number[]; pointStyle: string };
}

// Browser modules without type declarations: imported through a URL, typed by the interfaces above.
const load = <T>(file: string) =>
  import(new URL(`../../dashboards/public/js/${file}`, import.meta.url).href) as Promise<T>;
const store$ = load<StoreModule>('store.js');
const palette$ = load<PaletteModule>('palette.js');

const T0 = Date.parse('2026-11-25T12:00:00.000Z');
const iso = (seconds: number) => new Date(T0 + seconds * 1000).toISOString();

function manifest(
  version: number,
  step: number,
  parentVersion: number | null,
  status = 'candidate',
  schedule = 'sgd:0.01',
) {
  return {
    name: 'live-mnist',
    version,
    step,
    parentVersion,
    status,
    schedule,
    createdAt: iso(version * 10),
    files: [],
  };
}

function campaign(id: string, asr: { step: number; version: number; asr: number }[], extra = {}) {
  return {
    id,
    trigger: { kind: 'badnets' },
    ratio: 0.1,
    target: 0,
    mode: 'one-shot',
    cycles: 1,
    seed: 1,
    createdAt: iso(15),
    status: 'finished',
    injectedSteps: [2],
    asr,
    survivability: 2,
    ...extra,
  };
}

test('a rollback is inferred from the registry where a parent is not the version served before', async () => {
  const m = await store$;
  const store = m.createStore();
  // v1 -> v2 -> v3, rollback to v2, then v4 built on v2; v5 rejected; then rollback to v1 (pointer).
  const snapshot = {
    promoted: { name: 'live-mnist', version: 1, step: 4, promotedAt: iso(70), reason: 'rollback' },
    versions: [
      manifest(1, 0, null),
      manifest(2, 1, 1),
      manifest(3, 2, 2),
      manifest(4, 3, 2),
      manifest(5, 4, 4, 'rejected'),
    ],
  };
  m.applyModels(store, snapshot);
  const t = m.timelineSeries(store);
  assert.deepEqual(
    t.marks.rolledback.map((p) => p.y),
    [2, 1],
  );
  assert.deepEqual(
    t.marks.promoted.map((p) => p.y),
    [1, 2, 3, 4],
  );
  assert.deepEqual(
    t.marks.rejected.map((p) => p.y),
    [5],
  );
  // The served version steps down at each rollback; the drift step never goes back.
  assert.deepEqual(
    t.served.slice(0, 6).map((p) => p.y),
    [1, 2, 3, 2, 4, 1],
  );
  const drift = t.drift.map((p) => p.y);
  assert.deepEqual(
    drift,
    [...drift].sort((a, b) => a - b),
  );

  // Applying the same snapshot again (a socket reconnect) adds nothing.
  const marks = Object.values(m.timelineSeries(store).marks).flat().length;
  m.applyModels(store, snapshot);
  assert.equal(Object.values(m.timelineSeries(store).marks).flat().length, marks);
});

test("userAliases: the users' aliases by name with their versions, not champion or previous", async () => {
  const m = await store$;
  const store = m.createStore();
  const withAliases = (version: number, aliases: string[]) => ({
    ...manifest(version, version - 1, null),
    aliases,
  });
  m.applyModels(store, {
    versions: [
      withAliases(1, ['known-good']),
      withAliases(2, ['previous', 'baseline']),
      withAliases(3, ['champion']),
    ],
  });
  assert.deepEqual(m.userAliases(store), [
    { alias: 'baseline', version: 2 },
    { alias: 'known-good', version: 1 },
  ]);
  // An alias moved by PUT /admin/aliases/:alias: the next snapshot lists it at its new version only.
  m.applyModels(store, {
    versions: [
      withAliases(1, []),
      withAliases(2, ['previous', 'baseline']),
      withAliases(3, ['champion', 'known-good']),
    ],
  });
  assert.deepEqual(m.userAliases(store), [
    { alias: 'baseline', version: 2 },
    { alias: 'known-good', version: 3 },
  ]);
  assert.deepEqual(m.userAliases(m.createStore()), []);
});

test('a finished cycle adds its version to the accuracy and ASR series', async () => {
  const m = await store$;
  const store = m.createStore();
  m.applyModels(store, { promoted: null, versions: [manifest(1, 0, null)] });
  m.applyVersionMetrics(store, 1, { evaluation: { cleanAccuracy: 0.9, asr: {} } });
  m.applyEvent(
    store,
    'poison:injected',
    campaign('c00000001', [], { status: 'pending', survivability: 0 }),
    T0 + 12_000,
  );
  assert.equal(
    m.applyEvent(store, 'cycle:finished', {
      outcome: 'success',
      step: 1,
      schedule: 'sgd:0.01',
      version: 2,
      seconds: 1.2,
      poisoned: ['c00000001'],
      evaluation: { step: 1, cleanAccuracy: 0.85, asr: { c00000001: 0.6 }, labelShares: [], seconds: 0.1 },
      finishedAt: iso(20),
    }),
    true,
  );
  m.applyEvent(store, 'cycle:finished', {
    outcome: 'rejected',
    step: 2,
    schedule: 'sgd:0.5',
    version: 3,
    seconds: 1,
    poisoned: [],
    evaluation: { step: 2, cleanAccuracy: 0.1, asr: { c00000001: 0.9 }, labelShares: [], seconds: 0.1 },
    finishedAt: iso(30),
  });
  const acc = m.accuracySeries(store);
  assert.deepEqual(acc.promoted, [
    { x: 1, y: 90, step: 0 },
    { x: 2, y: 85, step: 1 },
  ]);
  assert.deepEqual(acc.rejected, [{ x: 3, y: 10, step: 2 }]);
  // A rejected model was never served: its ASR is not part of the backdoor's history.
  const [asr] = m.asrSeries(store);
  assert.equal(asr.id, 'c00000001');
  assert.deepEqual(asr.points, [{ x: 2, y: 60, step: 1 }]);
  assert.match(asr.label, /^BadNets c00000001 \(10% → 0\)$/);
});

test("the campaign's own ASR record wins over per-version evaluations, in version order", async () => {
  const m = await store$;
  const store = m.createStore();
  m.applyVersionMetrics(store, 3, { evaluation: { cleanAccuracy: 0.8, asr: { c1: 0.1 } } });
  m.applyState(store, {
    step: 3,
    model: { version: 4, step: 3, schedule: 'sgd:0.01' },
    schedule: { operator: 'sgd:0.01', effective: 'sgd:0.01' },
    campaigns: [
      campaign('c2', [{ step: 3, version: 4, asr: 0.7 }], { createdAt: iso(40) }),
      campaign('c1', [
        { step: 3, version: 4, asr: 0.5 },
        { step: 2, version: 3, asr: 0.4 },
      ]),
    ],
  });
  const series = m.asrSeries(store);
  assert.deepEqual(
    series.map((s) => s.id),
    ['c1', 'c2'],
    'campaigns keep their creation order (and so their colours)',
  );
  assert.deepEqual(
    series[0].points.map((p) => [p.x, p.y]),
    [
      [3, 40],
      [4, 50],
    ],
  );
  assert.deepEqual(
    m.survivabilityBars(store).map((b) => b.value),
    [2, 2],
  );
});

test('scans become anomaly lines per defense, with the flagged ones marked', async () => {
  const m = await store$;
  const store = m.createStore();
  const scan = (version: number, anomalyIndex: number, defense = 'neural-cleanse') => ({
    defense,
    anomalyIndex,
    flagged: anomalyIndex > 2,
    flaggedLabels: anomalyIndex > 2 ? [0] : [],
    seconds: 3,
    version,
    step: version - 1,
  });
  m.applyEvent(store, 'scan:finished', scan(2, 1.1), T0);
  m.applyEvent(store, 'scan:finished', scan(3, 3.4), T0 + 1000);
  m.applyEvent(store, 'scan:finished', scan(3, 0.8, 'tabor'), T0 + 2000);
  const lines = m.anomalySeries(store);
  assert.deepEqual(
    lines.map((l) => l.defense),
    ['neural-cleanse', 'tabor'],
  );
  assert.deepEqual(
    lines[0].points.map((p) => [p.x, p.y, p.flagged]),
    [
      [2, 1.1, false],
      [3, 3.4, true],
    ],
  );
  assert.deepEqual(
    m.timelineSeries(store).marks['scan-flagged'].map((p) => p.y),
    [3],
  );
});

test('a clean scan whose index ceiling is at most 2 is logged as blind', async () => {
  const m = await store$;
  const store = m.createStore();
  const scan = (version: number, indexCeiling: number) => ({
    defense: 'neural-cleanse',
    anomalyIndex: 0.9,
    indexCeiling,
    flagged: false,
    flaggedLabels: [],
    seconds: 3,
    version,
    step: version - 1,
  });
  m.applyEvent(store, 'scan:finished', scan(2, 3.1), T0);
  m.applyEvent(store, 'scan:finished', scan(3, 1.7), T0 + 1000);
  const [latest, earlier] = store.log.map((e: { text: string }) => e.text);
  assert.match(
    latest,
    /v3: anomaly index 0\.90, clean, but blind \(even a zero-norm trigger would score 1\.70\)/,
  );
  assert.match(earlier, /v2: anomaly index 0\.90, clean$/);
});

test('alerts keep their latest status and the activity log stays newest first', async () => {
  const m = await store$;
  const store = m.createStore();
  const alert = (key: string, status: string, at: number) => ({
    key,
    name: `Alert${key}`,
    status,
    labels: { alertname: `Alert${key}` },
    annotations: {},
    receivedAt: iso(at),
  });
  m.applyAlerts(store, { firing: [alert('a', 'firing', 5)], resolved: [alert('b', 'resolved', 3)] });
  m.applyEvent(store, 'alert:received', alert('a', 'resolved', 9), T0 + 9000);
  m.applyEvent(store, 'alert:received', alert('c', 'firing', 12), T0 + 12_000);
  const lists = m.alertLists(store);
  assert.deepEqual(
    lists.firing.map((a) => a.key),
    ['c'],
  );
  assert.deepEqual(
    lists.resolved.map((a) => a.key),
    ['a', 'b'],
  );
  // An older snapshot entry arriving late is placed by time, not by arrival.
  m.applyModels(store, { promoted: null, versions: [manifest(1, 0, null)] });
  const times = store.log.map((e) => e.t);
  assert.deepEqual(
    times,
    [...times].sort((a, b) => b - a),
  );
  assert.equal(m.applyEvent(store, 'not:an:event', {}), false);
});

test('series styles differ in colour, dash or shape, and never rely on yellow first', async () => {
  const { seriesStyle } = await palette$;
  const keys = Array.from({ length: 56 }, (_, i) => {
    const s = seriesStyle(i);
    return `${s.colour}|${s.dash.join(',')}|${s.pointStyle}`;
  });
  assert.equal(new Set(keys).size, 56);
  const firstColours = Array.from({ length: 7 }, (_, i) => seriesStyle(i).colour);
  assert.equal(new Set(firstColours).size, 7);
  assert.ok(!firstColours.includes('#F0E442'));
  // Neighbouring series never share a dash pattern, so lines differ without colour.
  for (let i = 0; i < 20; i++) assert.notDeepEqual(seriesStyle(i).dash, seriesStyle(i + 1).dash);
});

test('markers: schedule switches from the versions, other events after the version trained before them', async () => {
  const m = await store$;
  const store = m.createStore();
  // v1..v4 (created at 10, 20, 30, 40 s); v3 is the first STLR version.
  m.applyModels(store, {
    promoted: null,
    versions: [
      // F0's own schedule is not a switch.
      manifest(1, 0, null, 'promoted', 'stlr:0.5'),
      manifest(2, 1, 1),
      manifest(3, 2, 2, 'promoted', 'stlr:0.5:0.1'),
      manifest(4, 3, 3, 'promoted', 'stlr:0.5:0.1'),
    ],
  });
  // The operator's switch at 25 s was trained into v3: drawn once, from the versions.
  m.applyEvent(
    store,
    'schedule:changed',
    { schedule: 'stlr:0.5:0.1', effective: 'stlr:0.5:0.1' },
    T0 + 25_000,
  );
  m.applyEvent(store, 'policy:decision', {
    at: iso(35),
    action: 'force-stlr',
    reason: 'scan flagged',
    remaining: 2,
  });
  m.applyEvent(store, 'model:rolledback', { version: 2, step: 3 }, T0 + 45_000);
  m.applyEvent(
    store,
    'alert:received',
    { key: 'a1', name: 'PermanenceBackdoorFlagged', status: 'firing', receivedAt: iso(12) },
    T0 + 12_000,
  );
  // A switch after the newest version is pending: drawn after v4.
  m.applyEvent(store, 'schedule:changed', { schedule: 'sgd:0.01', effective: 'sgd:0.01' }, T0 + 50_000);
  assert.deepEqual(
    m.chartMarkers(store).map((k) => [k.x, k.kind, k.label]),
    [
      [1.5, 'alert-firing', 'PermanenceBackdoorFlagged'],
      [2.5, 'schedule', 'sgd:0.01 → stlr:0.5:0.1'],
      [3.5, 'policy', 'force-stlr: scan flagged'],
      [4.5, 'rolledback', 'rollback to v2'],
      [4.5, 'schedule', 'sgd:0.01'],
    ],
  );
  // The timeline carries the schedule and policy marks too.
  const t = m.timelineSeries(store);
  assert.equal(t.marks.schedule.length, 2);
  assert.equal(t.marks.policy.length, 1);
  // The same decision again in a state snapshot adds no second mark.
  m.applyState(store, {
    model: null,
    campaigns: [],
    policy: { decisions: [{ at: iso(35), action: 'force-stlr', reason: 'scan flagged' }] },
  });
  assert.equal(m.chartMarkers(store).filter((k) => k.kind === 'policy').length, 1);
});

test("a version's scan history fills the anomaly chart once, even after the live event", async () => {
  const m = await store$;
  const store = m.createStore();
  m.applyModels(store, { promoted: null, versions: [manifest(1, 0, null), manifest(2, 1, 1)] });
  m.applyState(store, { model: { version: 2, step: 1, schedule: 'sgd:0.01' }, campaigns: [] });
  const scan = (anomalyIndex: number, at: number) => ({
    at: iso(at),
    step: 1,
    defense: 'nc',
    anomalyIndex,
    indexCeiling: 4,
    flagged: anomalyIndex > 2,
    flaggedLabels: anomalyIndex > 2 ? [0] : [],
    seconds: 50,
  });
  // Seen live first, then read back from the registry with an older scan.
  m.applyEvent(store, 'scan:finished', { ...scan(2.5, 30), version: 2 }, T0 + 31_000);
  m.applyScanHistory(store, { version: 2, scans: [scan(1.2, 25), scan(2.5, 30)] });
  m.applyScanHistory(store, { version: 1, scans: [scan(1.1, 15)] });
  const [nc] = m.anomalySeries(store);
  assert.deepEqual(
    nc.points.map((p) => [p.x, p.y, p.flagged]),
    [
      [1, 1.1, false],
      [2, 1.2, false],
      [2, 2.5, true],
    ],
  );
  assert.deepEqual(
    m.servedScans(store).map((s) => s.anomalyIndex),
    [2.5, 1.2],
    'the served version only, newest first',
  );
});

test('a campaign is logged as queued when created and as injected when it poisons F0', async () => {
  const m = await store$;
  const store = m.createStore();
  m.applyEvent(store, 'poison:injected', campaign('c00000001', [], { status: 'pending' }), T0);
  m.applyEvent(store, 'poison:injected', campaign('c00000002', [], { status: 'active' }), T0 + 1);
  assert.deepEqual(
    store.log.map((e) => /(queued|injected) \(/.exec(e.text)?.[1]),
    ['injected', 'queued'],
  );
});

test('replay events build the counterfactual overlay; an older job does not replace a newer one', async () => {
  const m = await store$;
  const store = m.createStore();
  const row = (version: number, acc: number, asr: number, poisoned: string[] = []) => ({
    version,
    step: version - 1,
    poisoned,
    counterfactual: {
      cleanAccuracy: acc,
      asr: { c0000000a: asr },
      schedule: 'stlr:0.5:0.1',
      diverged: false,
    },
  });
  const job = (id: string, createdAt: string, rows: unknown[], status = 'running') => ({
    id,
    status,
    createdAt,
    request: { from: 4, policy: 'stlr:0.5:0.1' },
    progress: { done: rows.length, total: 3 },
    rows,
    result: null,
  });
  assert.equal(m.replaySeries(store), null);
  assert.equal(m.applyEvent(store, 'replay:queued', job('r00000001', iso(10), []), T0), true);
  assert.equal(m.replaySeries(store), null, 'no rows yet, no overlay');
  m.applyEvent(
    store,
    'replay:progress',
    job('r00000001', iso(10), [row(4, 0.9, 1, ['c0000000a']), row(5, 0.95, 0.25)]),
    T0,
  );
  const s = m.replaySeries(store);
  assert.equal(s?.campaign, 'c0000000a');
  assert.deepEqual(s?.accuracy, [
    { x: 4, y: 90, step: 3 },
    { x: 5, y: 95, step: 4 },
  ]);
  assert.deepEqual(
    s?.asr.map((p) => p.y),
    [100, 25],
  );
  assert.equal(
    m.applyEvent(store, 'replay:progress', job('r00000000', iso(5), [row(4, 0.1, 0.1)]), T0),
    false,
  );
  assert.equal(m.replaySeries(store)?.id, 'r00000001');
  assert.ok(store.log.some((e) => e.text.startsWith('Replay r00000001 queued')));
});
