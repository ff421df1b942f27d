/**
 * Every HTTP call of the dashboard, so a change of the service's routes or bodies is one
 * edit here. Routes and bodies follow services/http/*-routes.ts and schemas.ts.
 */

/** An answer of the API that was not 2xx, or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, message, body) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
  }
}

const TOKEN_KEY = 'permanence.adminToken';

/**
 * The admin token lives in this tab's sessionStorage only: it is gone when the tab closes
 * and is never written to localStorage, cookies or the URL.
 */
export const adminToken = {
  get() {
    try {
      return sessionStorage.getItem(TOKEN_KEY) ?? '';
    } catch {
      return memoryToken;
    }
  },
  set(token) {
    memoryToken = token;
    try {
      sessionStorage.setItem(TOKEN_KEY, token);
    } catch {
      // Storage disabled (private mode, sandboxed frame): memory only.
    }
  },
  clear() {
    memoryToken = '';
    try {
      sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // Nothing stored.
    }
  },
};
let memoryToken = '';

async function request(method, path, { body, auth = false } = {}) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (auth) {
    const token = adminToken.get();
    if (!token) throw new ApiError(401, 'enter the admin token first');
    headers.authorization = `Bearer ${token}`;
  }
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (err) {
    throw new ApiError(0, `the service is unreachable (${err.message})`);
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) {
    const detail =
      data && typeof data === 'object' && typeof data.error === 'string' ? data.error : response.statusText;
    throw new ApiError(response.status, `${response.status}: ${detail || 'request failed'}`, data);
  }
  return data;
}

const admin = (method, path, body) => request(method, path, { body, auth: true });

export const api = {
  state: () => request('GET', '/api/state'),
  /** { promoted: pointer|null, versions: manifest[] } */
  models: () => request('GET', '/api/models'),
  /** { manifest, metrics: { evaluation: { cleanAccuracy, asr } ... }, promoted } */
  model: (version) => request('GET', `/api/models/${encodeURIComponent(version)}`),
  /** { version, scans: [{ at, step, defense, anomalyIndex, indexCeiling, flagged, flaggedLabels, seconds }] } */
  scans: (version) => request('GET', `/api/models/${encodeURIComponent(version)}/scans`),
  /** { firing: alert[], resolved: alert[] } */
  alerts: () => request('GET', '/api/alerts'),

  /** Checks the token with a read-only admin call. */
  checkToken: () => admin('GET', '/admin/poison'),
  /**
   * attack: badnets|blend|wanet; ratio in (0, 0.5]; target 0-9; mode one-shot|persistent;
   * cycles: updates to poison when persistent; trigger: { size } | { alpha } | { strength }.
   */
  injectPoison: ({ attack, ratio, target, mode, cycles, trigger }) =>
    admin('POST', '/admin/poison', {
      attack,
      ratio,
      target,
      mode,
      ...(mode === 'persistent' ? { cycles } : {}),
      ...(trigger && Object.keys(trigger).length ? { trigger } : {}),
    }),
  stopPoison: (id) => admin('DELETE', `/admin/poison/${encodeURIComponent(id)}`),
  runCycle: () => admin('POST', '/admin/cycle'),
  scan: () => admin('POST', '/admin/scan'),
  pause: () => admin('POST', '/admin/pause'),
  resume: () => admin('POST', '/admin/resume'),
  /** version: a number, or a reference the service resolves (an alias such as `previous`). */
  rollback: (version) => admin('POST', '/admin/rollback', { version }),
  /** kind: sgd|stlr; lr: the learning rate (SGD) or the maximum one (STLR). */
  setSchedule: (kind, lr) => admin('PUT', '/admin/schedule', { schedule: `${kind}:${lr}` }),
  /** Counterfactual replay from `from` (a version) under `policy` (docs/replay.md); answers 202 with the job. */
  replay: (from, policy) => admin('POST', '/admin/replay', { from, policy }),
  replayJob: (id) => admin('GET', `/admin/replay/${encodeURIComponent(id)}`),
};
