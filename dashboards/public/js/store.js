/**
 * The dashboard's model of the live loop: REST snapshots and socket.io events folded into
 * one plain object, and the series the charts draw derived from it. No DOM here, so the
 * logic runs (and is tested) in node as well as in the browser.
 */
export const MAX_LOG_ENTRIES = 200;
export const MAX_MARKS = 2000;
/** The anomaly index above which a scan flags a model (Neural Cleanse's rule). */
export const ANOMALY_THRESHOLD = 2;
/** The ASR a backdoor must keep to count as surviving (services/loop/campaigns.ts). */
export const SURVIVAL_GAMMA = 0.5;

export function createStore() {
  return {
    /** The last /api/state snapshot or `state` event. */
    state: null,
    /** version -> { version, step, createdAt, schedule, status, parentVersion, cleanAccuracy, asr } */
    versions: new Map(),
    /** campaign id -> campaign as the service describes it. */
    campaigns: new Map(),
    /** { at, version, step, defense, anomalyIndex, flagged } in arrival order. */
    scans: [],
    /** Timeline marks { t, kind, version, step, label }. */
    marks: [],
    /** alert key -> latest stored alert. */
    alerts: new Map(),
    /** Activity log, newest first: { t, kind, text }. */
    log: [],
    /** Training progress of the running cycle, or null. */
    progress: null,
    /** version -> that version's scans from the registry (GET /api/models/:version/scans). */
    scanHistory: new Map(),
    /** The last counterfactual replay job (POST /admin/replay) as its events describe it, or null. */
    replay: null,
  };
}

/** Marks drawn on every per-version chart as vertical lines (the timeline draws all marks). */
export const CHART_MARKER_KINDS = ['schedule', 'policy', 'rolledback', 'alert-firing'];

const time = (iso, fallback) => {
  const t = Date.parse(iso ?? '');
  return Number.isFinite(t) ? t : fallback;
};

function upsertVersion(store, record) {
  const previous = store.versions.get(record.version) ?? {};
  const merged = { ...previous };
  for (const [key, value] of Object.entries(record)) {
    if (value !== undefined) merged[key] = value;
  }
  store.versions.set(record.version, merged);
  return merged;
}

function addMark(store, mark) {
  store.marks.push(mark);
  if (store.marks.length > MAX_MARKS) store.marks.splice(0, store.marks.length - MAX_MARKS);
}

function hasMark(store, kind, version, from = -Infinity, to = Infinity) {
  return store.marks.some((m) => m.kind === kind && m.version === version && m.t >= from && m.t <= to);
}

/** Adds a log entry, newest first; snapshot entries can be older than live ones. */
function addLog(store, t, kind, text) {
  const at = store.log.findIndex((entry) => entry.t <= t);
  store.log.splice(at === -1 ? store.log.length : at, 0, { t, kind, text });
  if (store.log.length > MAX_LOG_ENTRIES) store.log.length = MAX_LOG_ENTRIES;
}

/** Display names of the defenses the service scans with (SCAN_DEFENSE). */
export function defenseLabel(id) {
  return { nc: 'Neural Cleanse', tabor: 'TABOR' }[id] ?? id;
}

export function campaignLabel(c) {
  const attack =
    { badnets: 'BadNets', blend: 'Blend', wanet: 'WaNet' }[c.trigger?.kind] ?? c.trigger?.kind ?? '?';
  return `${attack} ${c.id} (${Math.round(c.ratio * 100)}% → ${c.target})`;
}

/** Applies a /api/state snapshot (also sent as the `state` event). */
export function applyState(store, state) {
  store.state = state;
  store.progress = state.progress ?? null;
  store.campaigns = new Map((state.campaigns ?? []).map((c) => [c.id, c]));
  for (const c of store.campaigns.values()) {
    const t = time(c.createdAt, Date.now());
    if (!store.marks.some((m) => m.kind === 'poison' && m.key === c.id)) {
      addMark(store, { t, kind: 'poison', key: c.id, label: campaignLabel(c) });
      addLog(store, t, 'poison', `Poison campaign ${campaignLabel(c)} created (${c.mode})`);
    }
  }
  for (const d of state.policy?.decisions ?? []) addPolicyMark(store, d, Date.now());
  if (state.model) {
    upsertVersion(store, {
      version: state.model.version,
      step: state.model.step,
      schedule: state.model.schedule,
    });
  }
}

/**
 * Applies GET /api/models: the registry's versions. Promotions are read from the manifests
 * (the loop promotes a version right after saving it unless it was rejected) and rollbacks
 * are inferred where a version's parent is not the version promoted before it.
 */
export function applyModels(store, models) {
  const manifests = [...(models.versions ?? [])].sort((a, b) => a.version - b.version);
  let served;
  let servedSince = -Infinity;
  for (const m of manifests) {
    const t = time(m.createdAt, 0);
    upsertVersion(store, {
      version: m.version,
      step: m.step,
      createdAt: m.createdAt,
      schedule: m.schedule,
      status: m.status,
      parentVersion: m.parentVersion,
      aliases: m.aliases ?? [],
    });
    if (m.parentVersion !== null && served !== undefined && m.parentVersion !== served) {
      if (!hasMark(store, 'rolledback', m.parentVersion, servedSince, t)) {
        addMark(store, { t: t - 1, kind: 'rolledback', version: m.parentVersion, step: m.step - 1 });
        addLog(store, t - 1, 'warn', `Rolled back to v${m.parentVersion}`);
      }
      served = m.parentVersion;
    }
    const kind = m.status === 'rejected' ? 'rejected' : 'promoted';
    if (!hasMark(store, kind, m.version)) {
      addMark(store, { t, kind, version: m.version, step: m.step });
      const what =
        kind === 'rejected' ? 'rejected (diverged)' : m.version === 1 ? 'promoted (initial)' : 'promoted';
      addLog(
        store,
        t,
        kind === 'rejected' ? 'warn' : 'model',
        `v${m.version} ${what}, drift step ${m.step}, ${m.schedule}`,
      );
    }
    if (kind === 'promoted') {
      served = m.version;
      servedSince = t;
    }
  }
  const pointer = models.promoted;
  if (pointer?.reason === 'rollback' && pointer.version !== served) {
    const t = time(pointer.promotedAt, Date.now());
    if (!hasMark(store, 'rolledback', pointer.version, servedSince, Infinity)) {
      addMark(store, { t, kind: 'rolledback', version: pointer.version, step: pointer.step });
      addLog(store, t, 'warn', `Rolled back to v${pointer.version}`);
    }
  }
}

/** Aliases the registry moves itself on promotion (services/registry/aliases.ts); the rest are the users'. */
const REGISTRY_ALIASES = new Set(['champion', 'previous']);

/**
 * The users' aliases (PUT /admin/aliases/:alias) and the version each names, by name, as
 * GET /api/models lists them on the versions; POST /admin/rollback takes the name.
 */
export function userAliases(store) {
  const named = new Map();
  const newestFirst = [...store.versions.values()].sort((a, b) => b.version - a.version);
  for (const v of newestFirst)
    for (const alias of v.aliases ?? [])
      if (!REGISTRY_ALIASES.has(alias) && !named.has(alias)) named.set(alias, v.version);
  return [...named]
    .map(([alias, version]) => ({ alias, version }))
    .sort((a, b) => a.alias.localeCompare(b.alias));
}

/** Applies one version's scan history (GET /api/models/:version/scans): the anomaly chart and the history panel. */
export function applyScanHistory(store, history) {
  const version = history?.version;
  if (!Number.isInteger(version)) return;
  const scans = history.scans ?? [];
  store.scanHistory.set(version, scans);
  for (const s of scans) {
    const at = time(s.at, 0);
    // A scan seen live (scan:finished) is stamped with the page's clock: match it loosely.
    const seen = store.scans.some(
      (x) => x.version === version && x.defense === s.defense && x.anomalyIndex === s.anomalyIndex,
    );
    if (seen) continue;
    store.scans.push({
      at,
      version,
      step: s.step,
      defense: s.defense,
      anomalyIndex: s.anomalyIndex,
      flagged: Boolean(s.flagged),
    });
    if (!hasMark(store, s.flagged ? 'scan-flagged' : 'scan', version, at, at))
      addMark(store, { t: at, kind: s.flagged ? 'scan-flagged' : 'scan', version, step: s.step });
  }
  store.scans.sort((a, b) => a.at - b.at);
}

/** The scans of the served version, newest first (empty until its history is loaded). */
export function servedScans(store) {
  const version = store.state?.model?.version;
  const fromRegistry = store.scanHistory.get(version) ?? [];
  return [...fromRegistry].sort((a, b) => time(b.at, 0) - time(a.at, 0));
}

function addPolicyMark(store, decision, now) {
  const t = time(decision.at, now);
  if (store.marks.some((m) => m.kind === 'policy' && m.t === t)) return false;
  addMark(store, { t, kind: 'policy', label: `${decision.action}: ${decision.reason}` });
  return true;
}

/** The highest version trained by time t (undefined before the first). */
function latestVersionAt(store, t) {
  let latest;
  for (const v of store.versions.values()) {
    const created = time(v.createdAt, Infinity);
    if (created <= t && (latest === undefined || v.version > latest)) latest = v.version;
  }
  return latest;
}

/**
 * The markers of the per-version charts: { x, kind, label }. A schedule switch sits before
 * the first version trained with the new schedule (read from the versions, so it survives a
 * reload); a switch not trained yet, a policy decision, a rollback and a firing alert sit
 * after the last version trained before it happened (x = v + 0.5).
 */
export function chartMarkers(store) {
  const out = [];
  // F0 (drift step 0) trains with its own schedule: only updates are compared.
  const versions = [...store.versions.values()]
    .filter((v) => v.status !== 'rejected' && v.schedule && v.step > 0)
    .sort((a, b) => a.version - b.version);
  for (let i = 1; i < versions.length; i++) {
    const [before, after] = [versions[i - 1], versions[i]];
    if (after.schedule !== before.schedule)
      out.push({ x: after.version - 0.5, kind: 'schedule', label: `${before.schedule} → ${after.schedule}` });
  }
  const newest = Math.max(
    -Infinity,
    ...[...store.versions.values()].map((v) => time(v.createdAt, -Infinity)),
  );
  for (const m of store.marks) {
    if (!CHART_MARKER_KINDS.includes(m.kind)) continue;
    // A switch already trained is drawn from the versions above.
    if (m.kind === 'schedule' && m.t <= newest) continue;
    const latest = latestVersionAt(store, m.t);
    if (latest === undefined) continue;
    const x = latest + 0.5;
    const label = m.kind === 'rolledback' ? `rollback to v${m.version}` : m.label;
    if (!out.some((o) => o.kind === m.kind && o.x === x && o.label === label))
      out.push({ x, kind: m.kind, label });
  }
  return out.sort((a, b) => a.x - b.x);
}

/** Applies the metrics document of one version (GET /api/models/:version). */
export function applyVersionMetrics(store, version, metrics) {
  const evaluation = metrics?.evaluation;
  if (!evaluation) return;
  upsertVersion(store, { version, cleanAccuracy: evaluation.cleanAccuracy, asr: evaluation.asr ?? {} });
}

/** Applies GET /api/alerts. */
export function applyAlerts(store, alerts) {
  for (const a of [...(alerts.resolved ?? []), ...(alerts.firing ?? [])]) {
    store.alerts.set(a.key, a);
    const t = time(a.receivedAt, Date.now());
    const kind = a.status === 'firing' ? 'alert-firing' : 'alert-resolved';
    if (!store.marks.some((m) => m.kind === kind && m.key === a.key && m.t === t)) {
      addMark(store, { t, kind, key: a.key, label: a.name });
    }
  }
}

/** The version served at time t, read from the timeline marks. */
export function servedVersionAt(store, t) {
  let version = store.state?.model?.version ?? null;
  let best = -Infinity;
  for (const m of store.marks) {
    if ((m.kind === 'promoted' || m.kind === 'rolledback') && m.t <= t && m.t >= best) {
      best = m.t;
      version = m.version;
    }
  }
  return version;
}

/**
 * Applies one socket.io event (names from services/contract.ts). Returns true when the
 * event changed something worth redrawing.
 */
export function applyEvent(store, name, payload, now = Date.now()) {
  const p = payload ?? {};
  switch (name) {
    case 'state':
      applyState(store, p);
      return true;
    case 'cycle:started':
      store.progress = { step: 0, totalSteps: 0, loss: null, lr: null, driftStep: p.step };
      // The next `state` event (after the cycle) brings the phase back.
      if (store.state) store.state = { ...store.state, phase: 'training' };
      addLog(
        store,
        now,
        'cycle',
        `Update to drift step ${p.step} started (${p.schedule}${poisonNote(p.poison)})`,
      );
      return true;
    case 'replay:queued':
    case 'replay:progress':
    case 'replay:finished':
    case 'replay:failed':
      return applyReplay(store, p, now);
    case 'cycle:progress':
      store.progress = {
        step: p.step,
        totalSteps: p.totalSteps,
        loss: p.loss,
        lr: p.lr,
        epoch: p.epoch,
        driftStep: p.driftStep,
        phase: p.phase,
      };
      return true;
    case 'cycle:finished': {
      const t = time(p.finishedAt, now);
      store.progress = null;
      if (p.version !== undefined) {
        upsertVersion(store, {
          version: p.version,
          step: p.step,
          createdAt: p.finishedAt,
          schedule: p.schedule,
          status: p.outcome === 'rejected' ? 'rejected' : 'candidate',
          cleanAccuracy: p.evaluation?.cleanAccuracy,
          asr: p.evaluation?.asr,
        });
      }
      if (p.outcome === 'rejected') {
        addMark(store, { t, kind: 'rejected', version: p.version, step: p.step });
        addLog(store, t, 'warn', `v${p.version} diverged at drift step ${p.step}: kept, not promoted`);
      } else {
        const acc = p.evaluation ? `, clean accuracy ${percent(p.evaluation.cleanAccuracy)}` : '';
        addLog(
          store,
          t,
          'cycle',
          `v${p.version} trained on drift step ${p.step} in ${p.seconds?.toFixed(1)} s${acc}`,
        );
      }
      return true;
    }
    case 'cycle:failed': {
      const t = time(p.finishedAt, now);
      store.progress = null;
      addMark(store, { t, kind: 'failed', step: p.step, label: p.error });
      addLog(store, t, 'error', `Update to drift step ${p.step} failed: ${p.error ?? 'unknown error'}`);
      return true;
    }
    case 'model:promoted':
      if (!hasMark(store, 'promoted', p.version)) {
        addMark(store, { t: now, kind: 'promoted', version: p.version, step: p.step });
      }
      addLog(store, now, 'model', `v${p.version} promoted (${p.reason ?? 'cycle'}, ${p.schedule ?? ''})`);
      return true;
    case 'model:rolledback':
      addMark(store, { t: now, kind: 'rolledback', version: p.version, step: p.step });
      addLog(store, now, 'warn', `Rolled back to v${p.version} (drift step stays ${p.step})`);
      return true;
    case 'scan:finished': {
      const scan = {
        at: now,
        version: p.version,
        step: p.step,
        defense: p.defense,
        anomalyIndex: p.anomalyIndex,
        flagged: Boolean(p.flagged),
      };
      store.scans.push(scan);
      addMark(store, {
        t: now,
        kind: scan.flagged ? 'scan-flagged' : 'scan',
        version: p.version,
        step: p.step,
      });
      const blind = !scan.flagged && Number(p.indexCeiling) <= 2;
      const verdict = scan.flagged
        ? `flagged (labels ${(p.flaggedLabels ?? []).join(', ')})`
        : blind
          ? `clean, but blind (even a zero-norm trigger would score ${Number(p.indexCeiling).toFixed(2)})`
          : 'clean';
      addLog(
        store,
        now,
        scan.flagged ? 'warn' : 'scan',
        `${defenseLabel(p.defense)} scan of v${p.version}: anomaly index ${Number(p.anomalyIndex).toFixed(2)}, ${verdict}`,
      );
      return true;
    }
    case 'scan:failed':
      addLog(
        store,
        now,
        'error',
        `${defenseLabel(p.defense)} scan of v${p.version} failed: ${p.error ?? 'unknown error'}`,
      );
      return true;
    case 'poison:injected':
      store.campaigns.set(p.id, p);
      if (!store.marks.some((m) => m.kind === 'poison' && m.key === p.id)) {
        addMark(store, { t: time(p.createdAt, now), kind: 'poison', key: p.id, label: campaignLabel(p) });
      }
      addLog(
        store,
        now,
        'poison',
        `Poison campaign ${campaignLabel(p)} ${p.status === 'pending' ? 'queued' : 'injected'} (${p.mode}, ${p.cycles} update${p.cycles === 1 ? '' : 's'})`,
      );
      return true;
    case 'poison:stopped':
      store.campaigns.set(p.id, p);
      addMark(store, {
        t: now,
        kind: 'poison-stopped',
        label: campaignLabel(p),
      });
      addLog(store, now, 'poison', `Poison campaign ${p.id} stopped`);
      return true;
    case 'schedule:changed':
      addMark(store, {
        t: now,
        kind: 'schedule',
        label: p.effective !== p.schedule ? `${p.schedule} (effective ${p.effective})` : p.schedule,
      });
      if (store.state)
        store.state = { ...store.state, schedule: { operator: p.schedule, effective: p.effective } };
      addLog(
        store,
        now,
        'schedule',
        `Update schedule set to ${p.schedule}${p.effective !== p.schedule ? ` (effective ${p.effective})` : ''}`,
      );
      return true;
    case 'policy:decision':
      addPolicyMark(store, p, now);
      addLog(store, time(p.at, now), 'policy', `Auto-mitigation ${p.action}: ${p.reason}`);
      return true;
    case 'alert:received': {
      store.alerts.set(p.key, p);
      const t = time(p.receivedAt, now);
      addMark(store, {
        t,
        kind: p.status === 'firing' ? 'alert-firing' : 'alert-resolved',
        key: p.key,
        label: p.name,
      });
      addLog(store, t, p.status === 'firing' ? 'error' : 'alert', `Alert ${p.name} ${p.status}`);
      return true;
    }
    default:
      return false;
  }
}

function poisonNote(ids) {
  return ids?.length ? `, poisoned by ${ids.join(', ')}` : '';
}

export function percent(x, digits = 1) {
  return Number.isFinite(x) ? `${(x * 100).toFixed(digits)}%` : '—';
}

/**
 * Follows one replay job: a newer job replaces the overlay; events of an older job are
 * ignored. Returns whether anything changed.
 */
export function applyReplay(store, job, now = Date.now()) {
  if (!job?.id) return false;
  const current = store.replay;
  if (current && current.id !== job.id && job.createdAt < current.createdAt) return false;
  const first = !current || current.id !== job.id;
  store.replay = job;
  const policy = job.request?.policy ?? '?';
  if (first) addLog(store, now, 'replay', `Replay ${job.id} queued: v${job.request?.from}.. under ${policy}`);
  if (job.status === 'succeeded') {
    const s = job.result?.summary?.counterfactual;
    const removal = s?.removedAt ? `ASR at or below γ from v${s.removedAt}` : 'the backdoor is not removed';
    addLog(
      store,
      now,
      'replay',
      `Replay ${job.id} (${policy}): ${removal}, mean accuracy ${percent(s?.meanAccuracy)}`,
    );
  } else if (job.status === 'failed') {
    addLog(store, now, 'warn', `Replay ${job.id} failed: ${job.error ?? 'unknown error'}`);
  }
  return true;
}

/** The campaign a replay is about: its summary's, else the last one poisoning its rows. */
function replayCampaign(job) {
  const fromSummary = job.result?.summary?.campaign;
  if (fromSummary) return fromSummary;
  const poisoned = (job.rows ?? []).flatMap((r) => r.poisoned ?? []);
  if (poisoned.length) return poisoned.at(-1);
  const keys = new Set((job.rows ?? []).flatMap((r) => Object.keys(r.counterfactual?.asr ?? {})));
  return keys.size === 1 ? [...keys][0] : null;
}

/**
 * The counterfactual overlay: the replayed versions' clean accuracy and ASR (%) under the
 * replay's policy, or null when no replay has rows yet.
 */
export function replaySeries(store) {
  const job = store.replay;
  if (!job || !(job.rows ?? []).length) return null;
  const campaign = replayCampaign(job);
  const rows = [...job.rows].sort((a, b) => a.version - b.version);
  const accuracy = rows
    .filter((r) => Number.isFinite(r.counterfactual?.cleanAccuracy))
    .map((r) => ({ x: r.version, y: r.counterfactual.cleanAccuracy * 100, step: r.step }));
  const asr = campaign
    ? rows
        .filter((r) => Number.isFinite(r.counterfactual?.asr?.[campaign]))
        .map((r) => ({ x: r.version, y: r.counterfactual.asr[campaign] * 100, step: r.step }))
    : [];
  return { id: job.id, policy: job.request?.policy ?? '', status: job.status, campaign, accuracy, asr };
}

/** Clean accuracy (%) per version: promoted and rejected versions as separate series. */
export function accuracySeries(store) {
  const promoted = [];
  const rejected = [];
  for (const v of [...store.versions.values()].sort((a, b) => a.version - b.version)) {
    if (!Number.isFinite(v.cleanAccuracy)) continue;
    const point = { x: v.version, y: v.cleanAccuracy * 100, step: v.step };
    (v.status === 'rejected' ? rejected : promoted).push(point);
  }
  return { promoted, rejected };
}

/** Campaigns in creation order (stable colours: a campaign keeps its style). */
export function orderedCampaigns(store) {
  return [...store.campaigns.values()].sort(
    (a, b) => time(a.createdAt, 0) - time(b.createdAt, 0) || (a.id < b.id ? -1 : 1),
  );
}

/**
 * ASR (%) per campaign and version: the campaign's own record, completed by the per-version
 * evaluations (a cycle's event can arrive before the state that updates the campaign).
 */
export function asrSeries(store) {
  return orderedCampaigns(store).map((c) => {
    const byVersion = new Map();
    for (const v of store.versions.values()) {
      const asr = v.asr?.[c.id];
      if (Number.isFinite(asr) && v.status !== 'rejected')
        byVersion.set(v.version, { x: v.version, y: asr * 100, step: v.step });
    }
    for (const a of c.asr ?? []) byVersion.set(a.version, { x: a.version, y: a.asr * 100, step: a.step });
    const points = [...byVersion.values()].sort((a, b) => a.x - b.x);
    return { id: c.id, label: campaignLabel(c), status: c.status, points };
  });
}

/** Anomaly index per defense, at the version each scan examined. */
export function anomalySeries(store) {
  const byDefense = new Map();
  for (const s of store.scans) {
    if (!Number.isFinite(s.anomalyIndex)) continue;
    if (!byDefense.has(s.defense)) byDefense.set(s.defense, []);
    byDefense.get(s.defense).push({ x: s.version, y: s.anomalyIndex, step: s.step, flagged: s.flagged });
  }
  return [...byDefense.entries()].map(([defense, points]) => ({ defense, points }));
}

/** Survivability so far per campaign, in updates. */
export function survivabilityBars(store) {
  return orderedCampaigns(store).map((c) => ({
    id: c.id,
    label: campaignLabel(c),
    value: c.survivability ?? 0,
    status: c.status,
  }));
}

/**
 * The timeline: the served version and the drift step as step functions of time, and the
 * marks (promotions, rollbacks, rejected or failed updates, poison, scans, alerts) by kind.
 */
export function timelineSeries(store) {
  const marks = [...store.marks].sort((a, b) => a.t - b.t);
  const served = [];
  const drift = [];
  let step = null;
  for (const m of marks) {
    if (m.kind === 'promoted' || m.kind === 'rolledback') {
      served.push({ x: m.t, y: m.version });
      if (Number.isFinite(m.step)) step = Math.max(step ?? 0, m.step);
      if (step !== null) drift.push({ x: m.t, y: step });
    }
  }
  const now = Date.now();
  const current = store.state?.model;
  if (served.length && current) served.push({ x: Math.max(now, served.at(-1).x), y: current.version });
  if (drift.length && Number.isFinite(store.state?.step))
    drift.push({ x: Math.max(now, drift.at(-1).x), y: store.state.step });
  const byKind = {};
  for (const m of marks) {
    // Marks of things that happen to the loop (poison, alerts) sit on the version served then.
    const version = m.version ?? servedVersionAt(store, m.t);
    if (version === null || version === undefined) continue;
    (byKind[m.kind] ??= []).push({ x: m.t, y: version, label: m.label, step: m.step });
  }
  return { served, drift, marks: byKind };
}

/** Alerts split into firing and resolved, newest first. */
export function alertLists(store) {
  const all = [...store.alerts.values()].sort((a, b) => time(b.receivedAt, 0) - time(a.receivedAt, 0));
  return {
    firing: all.filter((a) => a.status === 'firing'),
    resolved: all.filter((a) => a.status === 'resolved'),
  };
}
