/**
 * Entry point: loads the REST snapshot, then follows the loop over socket.io (globals
 * `io` and `Chart` come from the service's /socket.io/ and /vendor/ scripts).
 */
import { api } from './api.js';
import { createCharts } from './charts.js';
import { setupControls } from './controls.js';
import { renderAll, renderBanner, renderConnection } from './render.js';
import {
  applyAlerts,
  applyEvent,
  applyModels,
  applyScanHistory,
  applyState,
  applyVersionMetrics,
  createStore,
} from './store.js';

/** Event names of services/contract.ts (EVENTS). */
const EVENT_NAMES = [
  'state',
  'cycle:started',
  'cycle:progress',
  'cycle:finished',
  'cycle:failed',
  'model:promoted',
  'model:rolledback',
  'scan:finished',
  'scan:failed',
  'poison:injected',
  'poison:stopped',
  'schedule:changed',
  'policy:decision',
  'alert:received',
  'replay:queued',
  'replay:progress',
  'replay:finished',
  'replay:failed',
];
/** Versions whose metrics are fetched at load; older ones stay off the charts. */
const BACKFILL_VERSIONS = 60;
const BACKFILL_PARALLEL = 4;

const store = createStore();
const charts = createCharts({
  accuracy: document.getElementById('chart-accuracy'),
  asr: document.getElementById('chart-asr'),
  anomaly: document.getElementById('chart-anomaly'),
  survivability: document.getElementById('chart-survivability'),
  timeline: document.getElementById('chart-timeline'),
});
const controls = setupControls({ refresh: loadSnapshot, isPaused: () => Boolean(store.state?.paused) });

// Redraw at most once per frame however many events arrive.
let frame = 0;
function scheduleRender() {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    renderAll(store, { onStopCampaign: controls.stopCampaign });
    charts.update(store);
  });
}

/** Fetches state, registry and alerts; then the metrics of versions the page lacks. */
async function loadSnapshot() {
  try {
    const [state, models, alerts] = await Promise.all([api.state(), api.models(), api.alerts()]);
    applyState(store, state);
    applyModels(store, models);
    applyAlerts(store, alerts);
    renderBanner(null);
    scheduleRender();
    const missing = models.versions
      .map((m) => m.version)
      .filter((v) => !Number.isFinite(store.versions.get(v)?.cleanAccuracy))
      .slice(-BACKFILL_VERSIONS);
    // Scans live in the registry with their version: the anomaly chart survives a reload.
    const unscanned = models.versions
      .map((m) => m.version)
      .filter((v) => !store.scanHistory.has(v))
      .slice(-BACKFILL_VERSIONS);
    await Promise.all([backfill(missing), backfillScans(unscanned)]);
  } catch (err) {
    renderBanner(`Could not load the service state: ${err.message}`);
  }
}

async function backfill(versions) {
  const queue = [...versions];
  const worker = async () => {
    for (let v = queue.shift(); v !== undefined; v = queue.shift()) {
      const detail = await api.model(v);
      applyVersionMetrics(store, v, detail.metrics);
      scheduleRender();
    }
  };
  await Promise.all(Array.from({ length: BACKFILL_PARALLEL }, worker));
}

async function backfillScans(versions) {
  const queue = [...versions];
  const worker = async () => {
    for (let v = queue.shift(); v !== undefined; v = queue.shift()) await loadScans(v);
  };
  await Promise.all(Array.from({ length: BACKFILL_PARALLEL }, worker));
}

async function loadScans(version) {
  try {
    applyScanHistory(store, await api.scans(version));
    scheduleRender();
  } catch {
    // A version removed meanwhile has no scans to show.
  }
}

/** Keeps the served version's scan history current as scans finish and versions change. */
function followScans(name, payload) {
  if (name === 'scan:finished' && Number.isInteger(payload?.version)) void loadScans(payload.version);
  const served = store.state?.model?.version;
  if (Number.isInteger(served) && !store.scanHistory.has(served)) {
    store.scanHistory.set(served, []);
    void loadScans(served);
  }
}

function connect() {
  const socket = io({ reconnectionDelayMax: 5000 });
  let connectedBefore = false;
  renderConnection('connecting');
  socket.on('connect', () => {
    renderConnection('live');
    // A reconnect may have missed events: the snapshot fills the gap.
    if (connectedBefore) void loadSnapshot();
    connectedBefore = true;
  });
  socket.on('disconnect', () => renderConnection('down'));
  socket.on('connect_error', () => renderConnection('down'));
  for (const name of EVENT_NAMES) {
    socket.on(name, (payload) => {
      if (applyEvent(store, name, payload)) scheduleRender();
      followScans(name, payload);
    });
  }
  return socket;
}

void loadSnapshot();
connect();
// Relative times ("12 s ago") age between events.
setInterval(scheduleRender, 5000);
