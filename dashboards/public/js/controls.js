/**
 * The operator controls: admin token, poison injection, schedule, cycle, scan, pause and
 * rollback. Every API answer is shown next to the control that caused it, errors included.
 */
import { adminToken, api } from './api.js';

const $ = (id) => document.getElementById(id);

/** Trigger parameter of each attack: the body field, its label and its bounds. */
const TRIGGER_PARAMS = {
  badnets: { field: 'size', label: 'Patch size (px)', min: 1, max: 8, step: 1 },
  blend: { field: 'alpha', label: 'Blend alpha (0–1)', min: 0.01, max: 1, step: 0.01 },
  wanet: { field: 'strength', label: 'Warp strength (0–2)', min: 0.01, max: 2, step: 0.01 },
};

const DEFAULT_LR = { sgd: 0.01, stlr: 0.5 };

function show(id, text, kind) {
  const node = $(id);
  node.hidden = !text;
  node.textContent = text ?? '';
  node.className = `message ${kind ?? ''}`;
}

/** Runs an API call with the button disabled; shows the result or the error. */
async function act(button, messageId, call, describe) {
  if (button) button.disabled = true;
  show(messageId, '');
  try {
    const result = await call();
    show(messageId, describe(result), 'ok');
    return result;
  } catch (err) {
    show(messageId, err.message, 'error');
    return undefined;
  } finally {
    if (button) button.disabled = false;
  }
}

function number(input) {
  const text = input.value.trim();
  return text === '' ? undefined : Number(text);
}

function renderTokenState() {
  const set = adminToken.get() !== '';
  $('token-form').hidden = set;
  $('token-set').hidden = !set;
  $('admin-controls').disabled = !set;
}

export function setupControls({ refresh, isPaused }) {
  renderTokenState();

  $('token-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = $('token-input');
    const token = input.value.trim();
    if (!token) return;
    adminToken.set(token);
    try {
      await api.checkToken();
      input.value = '';
      show('token-message', '');
    } catch (err) {
      adminToken.clear();
      show(
        'token-message',
        err.status === 401 ? `${err.message} (token not accepted)` : err.message,
        'error',
      );
    }
    renderTokenState();
  });

  $('token-forget').addEventListener('click', () => {
    adminToken.clear();
    show('token-message', '');
    renderTokenState();
    $('token-input').focus();
  });

  $('run-cycle').addEventListener('click', (event) =>
    act(
      event.currentTarget,
      'actions-message',
      api.runCycle,
      (r) => `Cycle accepted: training drift step ${r.step}.`,
    ),
  );
  $('run-scan').addEventListener('click', (event) =>
    act(
      event.currentTarget,
      'actions-message',
      api.scan,
      () => 'Scan accepted: its anomaly index appears when it finishes.',
    ),
  );
  $('toggle-pause').addEventListener('click', async (event) => {
    const pausing = !isPaused();
    await act(event.currentTarget, 'actions-message', pausing ? api.pause : api.resume, () =>
      pausing ? 'Loop paused: no scheduled cycles until resumed.' : 'Loop resumed.',
    );
    await refresh();
  });

  const attack = $('poison-attack');
  const param = $('poison-param');
  const syncParam = () => {
    const spec = TRIGGER_PARAMS[attack.value];
    $('poison-param-label').textContent = spec.label;
    Object.assign(param, { min: spec.min, max: spec.max, step: spec.step, value: '' });
  };
  attack.addEventListener('change', syncParam);
  syncParam();

  const poisonForm = $('poison-form');
  const cycles = $('poison-cycles');
  poisonForm.addEventListener('change', () => {
    cycles.disabled = poisonForm.elements.mode.value !== 'persistent';
  });
  poisonForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const spec = TRIGGER_PARAMS[attack.value];
    const ratioPercent = number($('poison-ratio'));
    const value = number(param);
    const body = {
      attack: attack.value,
      ratio: ratioPercent === undefined ? undefined : ratioPercent / 100,
      target: number($('poison-target')),
      mode: poisonForm.elements.mode.value,
      cycles: number(cycles),
      trigger: value === undefined ? undefined : { [spec.field]: value },
    };
    void act(
      event.submitter,
      'poison-message',
      () => api.injectPoison(body),
      (c) =>
        `Campaign ${c.id} queued: poisons the next ${c.cycles === 1 ? 'update' : `${c.cycles} updates`}.`,
    );
  });

  const scheduleForm = $('schedule-form');
  scheduleForm.addEventListener('change', (event) => {
    if (event.target.name !== 'kind') return;
    const kind = scheduleForm.elements.kind.value;
    $('schedule-lr-label').textContent = kind === 'stlr' ? 'max learning rate' : 'learning rate';
    $('schedule-lr').value = String(DEFAULT_LR[kind]);
  });
  scheduleForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const kind = scheduleForm.elements.kind.value;
    const lr = $('schedule-lr').value.trim();
    void act(
      event.submitter,
      'schedule-message',
      () => api.setSchedule(kind, lr),
      (s) =>
        `Next updates use ${s.effective}${s.effective !== s.operator ? ` (policy override; yours: ${s.operator})` : ''}.`,
    );
  });

  $('rollback-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const choice = $('rollback-version').value;
    if (!choice) {
      show('rollback-message', 'choose a version to roll back to', 'error');
      return;
    }
    // A version number, or a user alias's name (the service resolves it).
    const ref = /^\d+$/.test(choice) ? Number(choice) : choice;
    void act(
      event.submitter,
      'rollback-message',
      () => api.rollback(ref),
      (p) => `v${p.version} is served again (drift step stays ${p.step}).`,
    );
  });

  $('replay-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const from = Number($('replay-version').value);
    if (!from) {
      show('replay-message', 'choose the version to replay from', 'error');
      return;
    }
    const policy = WHAT_IF_POLICIES[$('replay-policy').value](from);
    void act(
      event.submitter,
      'replay-message',
      () => api.replay(from, policy),
      (job) =>
        `Replay ${job.id} queued: ${job.progress?.total ?? '?'} versions from v${from} under ${job.request.policy}; the dashed curves appear as it runs.`,
    );
  });

  return { stopCampaign };
}

/** The what-if questions of the replay form, as replay policies (docs/replay.md). */
const WHAT_IF_POLICIES = {
  stlr: () => 'stlr:0.5',
  periodic: () => 'periodic:stlr:0.5:every=3',
  'scan-stlr': () => 'scan-stlr',
};

async function stopCampaign(id) {
  await act(
    null,
    'poison-message',
    () => api.stopPoison(id),
    (c) => `Campaign ${c.id} stopped: no more poison.`,
  );
}
