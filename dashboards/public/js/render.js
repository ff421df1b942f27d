/**
 * Writes the store into the page outside the charts: KPI cards, chart summaries, the
 * campaigns table, alerts, the activity log. Service text (alert annotations, errors) only
 * ever goes through textContent, never innerHTML.
 */
import { seriesStyle } from './palette.js';
import {
  accuracySeries,
  alertLists,
  anomalySeries,
  asrSeries,
  campaignLabel,
  defenseLabel,
  orderedCampaigns,
  percent,
  servedScans,
  userAliases,
} from './store.js';

const $ = (id) => document.getElementById(id);

/** Creates an element with attributes and children (strings become text nodes). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'style') node.style.cssText = value;
    else if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

const setText = (id, text) => {
  const node = $(id);
  if (node.textContent !== text) node.textContent = text;
};

export const clock = (ms) =>
  new Date(ms).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });

function relative(iso) {
  const t = Date.parse(iso ?? '');
  if (!Number.isFinite(t)) return '';
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  return `${(s / 3600).toFixed(1)} h ago`;
}

export function renderConnection(state) {
  const chip = $('connection');
  const text = { live: 'Live', connecting: 'Connecting…', down: 'Disconnected: retrying' }[state];
  chip.textContent = text;
  chip.dataset.state = state;
  chip.className = `chip ${{ live: 'chip-live', connecting: 'chip-wait', down: 'chip-down' }[state]}`;
}

export function renderBanner(message) {
  const banner = $('banner');
  banner.hidden = !message;
  banner.textContent = message ?? '';
}

function renderKpis(store) {
  const s = store.state;
  if (!s) return;
  const phase = $('phase');
  phase.dataset.phase = s.phase;
  setText('phase', `Phase: ${s.phase}`);
  $('paused').hidden = !s.paused;
  setText('toggle-pause', s.paused ? 'Resume loop' : 'Pause loop');

  if (s.model) {
    setText('kpi-version', `v${s.model.version}`);
    setText('kpi-version-note', `${s.model.reason} · ${relative(s.model.promotedAt)}`);
  } else {
    setText('kpi-version', '—');
    setText('kpi-version-note', s.bootError ? `start-up: ${s.bootError}` : 'training F0…');
  }
  setText('kpi-step', String(s.step));
  setText(
    'kpi-step-note',
    s.config ? `drift ${s.config.drift}, every ${s.config.cycleIntervalSeconds} s` : '',
  );
  setText('kpi-schedule', s.schedule.effective);
  setText(
    'kpi-schedule-note',
    s.schedule.effective !== s.schedule.operator
      ? `forced by policy (operator: ${s.schedule.operator})`
      : 'set by the operator',
  );
  const e = s.evaluation;
  setText('kpi-accuracy', e ? percent(e.cleanAccuracy) : '—');
  setText('kpi-accuracy-note', e ? `on drift step ${e.step} test set` : '');

  const lastScan = store.scans.at(-1) ?? (s.scan ? { ...s.scan, version: s.model?.version } : null);
  if (lastScan) {
    setText('kpi-anomaly', lastScan.anomalyIndex.toFixed(2));
    setText(
      'kpi-anomaly-note',
      `${defenseLabel(lastScan.defense)} · ${lastScan.flagged ? 'FLAGGED (> 2)' : 'below 2'}`,
    );
  }

  const campaigns = orderedCampaigns(store);
  if (campaigns.length && e) {
    let best = null;
    for (const c of campaigns) {
      const asr = e.asr?.[c.id];
      if (Number.isFinite(asr) && (!best || asr > best.asr)) best = { c, asr };
    }
    setText('kpi-asr', best ? percent(best.asr) : '—');
    setText('kpi-asr-note', best ? `${best.c.trigger.kind} ${best.c.id}` : 'not evaluated yet');
    const longest = campaigns.reduce(
      (a, c) => ((c.survivability ?? 0) > (a.survivability ?? 0) ? c : a),
      campaigns[0],
    );
    setText('kpi-surv', `${longest.survivability ?? 0} upd.`);
    setText('kpi-surv-note', `longest: ${longest.trigger.kind} ${longest.id}`);
  }
}

function renderSummaries(store) {
  const acc = accuracySeries(store).promoted;
  const last = acc.at(-1);
  setText(
    'summary-accuracy',
    last
      ? `Latest v${last.x} (drift step ${last.step}): ${last.y.toFixed(1)}% on the drifted test set. ${acc.length} version${acc.length === 1 ? '' : 's'} plotted.`
      : 'No evaluated model yet.',
  );
  const asr = asrSeries(store).filter((s) => s.points.length);
  setText(
    'summary-asr',
    asr.length
      ? asr.map((s) => `${s.label}: ${s.points.at(-1).y.toFixed(1)}% at v${s.points.at(-1).x}`).join('; ')
      : [...store.campaigns.values()].some((c) => c.status === 'pending')
        ? 'Campaign queued: its ASR appears after the next update.'
        : store.campaigns.size
          ? 'No ASR recorded for these campaigns yet.'
          : 'No poison campaign yet.',
  );
  const anomaly = anomalySeries(store);
  setText(
    'summary-anomaly',
    anomaly.length
      ? anomaly
          .map((a) => `${defenseLabel(a.defense)}: ${a.points.at(-1).y.toFixed(2)} at v${a.points.at(-1).x}`)
          .join('; ') + '. Above 2 = flagged.'
      : `No scan yet: ${store.state?.config?.scanEvery ? `one runs every ${store.state.config.scanEvery} updates, or` : ''} trigger one from the controls. Above 2 = flagged.`,
  );
  const camps = orderedCampaigns(store);
  setText(
    'summary-surv',
    camps.length
      ? camps
          .map((c) => `${c.id}: ${c.survivability ?? 0} update${c.survivability === 1 ? '' : 's'}`)
          .join('; ')
      : 'No poison campaign yet.',
  );
  const rollbacks = store.marks.filter((m) => m.kind === 'rolledback').length;
  const poison = store.marks.filter((m) => m.kind === 'poison').length;
  const alerts = store.marks.filter((m) => m.kind === 'alert-firing').length;
  setText(
    'summary-timeline',
    `${store.versions.size} version${store.versions.size === 1 ? '' : 's'}, ${rollbacks} rollback${rollbacks === 1 ? '' : 's'}, ${poison} poison campaign${poison === 1 ? '' : 's'}, ${alerts} alert${alerts === 1 ? '' : 's'} fired.`,
  );
}

function renderCampaigns(store, onStop) {
  const body = $('campaign-rows');
  const campaigns = orderedCampaigns(store);
  const lastAsr = store.state?.evaluation?.asr ?? {};
  const rows = campaigns.map((c, i) => {
    const style = seriesStyle(i);
    const injecting = c.status === 'pending' || c.status === 'active';
    const dash = style.dash.length ? 'dashed' : 'solid';
    return el(
      'tr',
      { 'data-campaign': c.id },
      el(
        'td',
        { 'data-label': 'Campaign' },
        el('span', {
          class: 'swatch',
          style: `border-top-color:${style.colour};border-top-style:${dash}`,
          'aria-hidden': 'true',
        }),
        c.id,
      ),
      el(
        'td',
        { 'data-label': 'Attack' },
        campaignLabel(c).split(' ')[0],
        c.trigger && Object.keys(c.trigger).length > 1 ? ` (${triggerParams(c.trigger)})` : '',
      ),
      el('td', { 'data-label': 'Ratio → target' }, `${Math.round(c.ratio * 100)}% → ${c.target}`),
      el('td', { 'data-label': 'Mode' }, c.mode === 'persistent' ? `persistent × ${c.cycles}` : 'one-shot'),
      el('td', { 'data-label': 'Status' }, el('span', { class: `status-pill status-${c.status}` }, c.status)),
      el(
        'td',
        { 'data-label': 'Poisoned at drift step' },
        c.injectedSteps?.length ? c.injectedSteps.join(', ') : '—',
      ),
      el('td', { 'data-label': 'Last ASR' }, percent(lastAsr[c.id] ?? c.asr?.at(-1)?.asr)),
      el('td', { 'data-label': 'Survived' }, `${c.survivability ?? 0} upd.`),
      el(
        'td',
        {},
        injecting
          ? el(
              'button',
              { type: 'button', class: 'small', 'data-stop': c.id, onclick: () => onStop(c.id) },
              'Stop',
            )
          : '',
      ),
    );
  });
  if (!rows.length)
    rows.push(
      el(
        'tr',
        { class: 'empty' },
        el('td', { colspan: 9 }, 'No campaign. Inject poison from the operator controls.'),
      ),
    );
  body.replaceChildren(...rows);
}

function triggerParams(trigger) {
  return Object.entries(trigger)
    .filter(([k]) => k !== 'kind')
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
}

function alertItem(a) {
  const summary = a.annotations?.summary ?? a.annotations?.description ?? '';
  const since = a.status === 'firing' ? a.startsAt : (a.endsAt ?? a.receivedAt);
  const severity = a.labels?.severity ? ` · ${a.labels.severity}` : '';
  return el(
    'li',
    { class: a.status },
    el('div', { class: 'name' }, a.status === 'firing' ? '▲ ' : '✓ ', a.name),
    summary ? el('div', { class: 'desc' }, summary) : null,
    el('div', { class: 'meta' }, `${a.status} since ${since ? clock(Date.parse(since)) : '?'}${severity}`),
  );
}

function renderAlerts(store) {
  const { firing, resolved } = alertLists(store);
  setText('firing-count', String(firing.length));
  setText('resolved-count', String(resolved.length));
  $('alerts-firing').replaceChildren(
    ...(firing.length ? firing.map(alertItem) : [el('li', { class: 'empty' }, 'None firing.')]),
  );
  $('alerts-resolved').replaceChildren(
    ...(resolved.length
      ? resolved.slice(0, 20).map(alertItem)
      : [el('li', { class: 'empty' }, 'None resolved.')]),
  );
}

function renderActivity(store) {
  const items = store.log
    .slice(0, 60)
    .map((entry) =>
      el(
        'li',
        {},
        el('time', { datetime: new Date(entry.t).toISOString() }, clock(entry.t)),
        el('span', { class: entry.kind }, entry.text),
      ),
    );
  $('activity').replaceChildren(
    ...(items.length ? items : [el('li', { class: 'empty' }, 'Waiting for events…')]),
  );

  const p = store.progress;
  const box = $('progress');
  box.hidden = !p || !p.totalSteps;
  if (p && p.totalSteps) {
    const bar = $('progress-bar');
    bar.max = p.totalSteps;
    bar.value = p.step;
    const loss = Number.isFinite(p.loss) ? `, loss ${p.loss.toFixed(3)}` : '';
    const what =
      (p.phase ?? store.state?.phase) === 'training-f0'
        ? 'Training the first model (F0) on D0'
        : `Training drift step ${p.driftStep ?? (store.state?.step ?? 0) + 1}`;
    setText('progress-label', `${what}: batch ${p.step}/${p.totalSteps}${loss}`);
  }
}

function renderScanHistory(store) {
  const version = store.state?.model?.version;
  setText('scans-title', version ? `Scans of v${version}` : 'Scans of the served version');
  const scans = servedScans(store);
  const items = scans
    .slice(0, 20)
    .map((s) =>
      el(
        'li',
        { class: s.flagged ? 'flagged' : 'clean' },
        el('time', { datetime: s.at }, clock(Date.parse(s.at))),
        el(
          'span',
          {},
          `${defenseLabel(s.defense)}: index ${s.anomalyIndex.toFixed(2)}, ${s.flagged ? `flagged (labels ${s.flaggedLabels.join(', ')})` : 'clean'} · drift step ${s.step} · ${s.seconds.toFixed(0)} s`,
        ),
      ),
    );
  $('scan-history').replaceChildren(
    ...(items.length ? items : [el('li', { class: 'empty' }, 'Not scanned yet.')]),
  );
}

/** User aliases of a version (champion is shown as "served"), e.g. " @previous". */
function aliasNote(v) {
  const aliases = (v.aliases ?? []).filter((a) => a !== 'champion');
  return aliases.length ? ` @${aliases.join(' @')}` : '';
}

function renderRollbackOptions(store) {
  const select = $('rollback-version');
  const served = store.state?.model?.version;
  const versions = [...store.versions.values()]
    .filter((v) => v.status !== 'rejected' && v.createdAt)
    .sort((a, b) => b.version - a.version);
  const aliases = userAliases(store);
  // The alias notes are in the key: an alias that moves redraws the list.
  const key = versions.map((v) => `${v.version}${aliasNote(v)}`).join(',') + `|${served}`;
  if (select.dataset.key === key) return;
  const chosen = select.value;
  select.dataset.key = key;
  const options = versions.map((v) =>
    el(
      'option',
      { value: v.version, disabled: v.version === served, selected: String(v.version) === chosen },
      `v${v.version} · drift step ${v.step}${Number.isFinite(v.cleanAccuracy) ? ` · ${percent(v.cleanAccuracy)}` : ''}${v.version === served ? ' (served)' : ''}${aliasNote(v)}`,
    ),
  );
  // A user alias is sent as its name: the service resolves it when the rollback runs.
  const aliasOptions = aliases.map((a) =>
    el(
      'option',
      { value: a.alias, disabled: a.version === served, selected: a.alias === chosen },
      `@${a.alias} → v${a.version}${a.version === served ? ' (served)' : ''}`,
    ),
  );
  select.replaceChildren(
    el(
      'option',
      { value: '' },
      options.length ? `Choose a version${aliasOptions.length ? ' or an alias' : ''}…` : 'No version yet',
    ),
    ...(aliasOptions.length
      ? [el('optgroup', { label: 'Versions' }, options), el('optgroup', { label: 'Aliases' }, aliasOptions)]
      : options),
  );
  const selectable = [
    ...versions.filter((v) => v.version !== served).map((v) => String(v.version)),
    ...aliases.filter((a) => a.version !== served).map((a) => a.alias),
  ];
  if (chosen && selectable.includes(chosen)) select.value = chosen;
}

/** Versions a replay can start from (every stored one), newest first. */
function renderReplayOptions(store) {
  const select = $('replay-version');
  const versions = [...store.versions.values()]
    .filter((v) => v.createdAt)
    .sort((a, b) => b.version - a.version);
  const key = versions.map((v) => v.version).join(',');
  if (select.dataset.key === key) return;
  const chosen = select.value;
  select.dataset.key = key;
  select.replaceChildren(
    el('option', { value: '' }, versions.length ? 'Choose a version…' : 'No version yet'),
    ...versions.map((v) =>
      el(
        'option',
        { value: v.version, selected: String(v.version) === chosen },
        `v${v.version} · drift step ${v.step} · ${v.schedule ?? ''}`,
      ),
    ),
  );
}

/** The running or last replay's progress under the what-if form. */
function renderReplayStatus(store) {
  const job = store.replay;
  const node = $('replay-status');
  node.hidden = !job;
  if (!job) return;
  const done = job.progress ? `${job.progress.done}/${job.progress.total} versions` : '';
  const s = job.result?.summary;
  const answer =
    job.status === 'succeeded' && s
      ? `: ${s.counterfactual.removedAt ? `ASR at or below γ from v${s.counterfactual.removedAt}` : 'not removed'} (recorded: ${s.recorded.removedAt ? `v${s.recorded.removedAt}` : 'not removed'}), accuracy cost ${((s.accuracyCost ?? 0) * 100).toFixed(1)} pt`
      : job.status === 'failed'
        ? `: ${job.error}`
        : '';
  node.textContent = `Replay ${job.id} (${job.request?.policy}) ${job.status} ${done}${answer}`;
}

/** Shows the operator's current schedule in the form, unless the operator is editing it. */
function syncScheduleForm(store) {
  const form = $('schedule-form');
  const operator = store.state?.schedule?.operator;
  if (!operator || form.dataset.shown === operator || form.contains(document.activeElement)) return;
  const [kind, lr] = operator.split(':');
  if (kind !== 'sgd' && kind !== 'stlr') return;
  form.dataset.shown = operator;
  form.elements.kind.value = kind;
  $('schedule-lr-label').textContent = kind === 'stlr' ? 'max learning rate' : 'learning rate';
  $('schedule-lr').value = lr;
}

export function renderAll(store, handlers) {
  renderKpis(store);
  renderSummaries(store);
  renderCampaigns(store, handlers.onStopCampaign);
  renderAlerts(store);
  renderActivity(store);
  renderScanHistory(store);
  renderRollbackOptions(store);
  renderReplayOptions(store);
  renderReplayStatus(store);
  syncScheduleForm(store);
}
