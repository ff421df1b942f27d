/**
 * A typed client of the service's HTTP API (the contract at /openapi.json): the admin levers
 * behind the bearer token, and the public reads a script needs around them. Request types
 * are the zod inputs of services/http/schemas.ts, response types the schemas the service
 * answers with; only `fetch` at run time, so it works from any Node 20 script.
 *
 *   import { createAdminClient } from 'permanence/client';
 *   const api = createAdminClient({ url: 'http://localhost:8080', adminToken });
 *   const campaign = await api.poison({ attack: 'badnets', ratio: 0.2 });
 */
import type { z } from 'zod';
import type { poisonBody } from '../http/schemas.ts';
import type { Campaign } from '../loop/campaigns.ts';
import type { LiveLoop } from '../loop/live-loop.ts';
import type { VersionView } from '../registry/aliases.ts';
import type { Manifest, Pointer } from '../registry/model-store.ts';
import type { ScanHistory } from '../registry/scans.ts';

export type PoisonRequest = z.input<typeof poisonBody>;
export type { Campaign, Manifest, Pointer, ScanHistory, VersionView };
export type LoopState = ReturnType<LiveLoop['state']>;

/** A non-2xx answer: the HTTP status and the service's `{ error, field? }` body. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: { error?: string; field?: string } & Record<string, unknown>,
  ) {
    super(`${method} ${path}: ${status} ${body.error ?? ''}`.trim());
  }
}

export interface AdminClientOptions {
  /** Base URL of the service, e.g. http://localhost:8080. */
  url: string;
  /** ADMIN_TOKEN (npm start prints a generated one). */
  adminToken: string;
  /** Gives up on a request after this long (default 30 s). */
  timeoutMs?: number;
}

export interface AdminClient {
  /** POST /admin/poison: start a poison campaign (202). */
  poison(request: PoisonRequest): Promise<Campaign>;
  /** GET /admin/poison */
  campaigns(): Promise<Campaign[]>;
  /** GET /admin/poison/:id */
  campaign(id: string): Promise<Campaign>;
  /** DELETE /admin/poison/:id: stop a campaign. */
  stopCampaign(id: string): Promise<Campaign>;
  /** POST /admin/cycle: run an update cycle now. */
  cycle(): Promise<{ accepted: true; step: number }>;
  /** POST /admin/scan: scan the served model now. */
  scan(): Promise<{ accepted: true }>;
  pause(): Promise<{ paused: true }>;
  resume(): Promise<{ paused: false }>;
  /** PUT /admin/schedule, e.g. 'stlr:0.5'. */
  setSchedule(schedule: string): Promise<{ operator: string; effective: string }>;
  /** POST /admin/rollback: serve an earlier version again (a number, 'v3', 'previous', 'live@champion'). */
  rollback(version: number | string): Promise<Pointer>;
  /** GET /api/aliases: alias -> version (champion, previous, user aliases). */
  aliases(): Promise<Record<string, number>>;
  /** PUT /admin/aliases/:alias */
  setAlias(alias: string, version: number): Promise<Record<string, number>>;
  /** DELETE /admin/aliases/:alias */
  deleteAlias(alias: string): Promise<Record<string, number>>;
  /** PUT /admin/models/:version/tags/:key; resolves to the version's tags. */
  setTag(version: number, key: string, value: string): Promise<Record<string, string>>;
  /** DELETE /admin/models/:version/tags/:key */
  deleteTag(version: number, key: string): Promise<Record<string, string>>;
  /** GET /api/models/:version/scans */
  scans(version: number): Promise<ScanHistory>;
  /** GET /api/state */
  state(): Promise<LoopState>;
  /** GET /api/models: one page, newest first; pass `nextCursor` back as `cursor` for the next. */
  models(page?: {
    limit?: number;
    cursor?: number;
  }): Promise<{ promoted: LoopState['model']; versions: VersionView[]; nextCursor: number | null }>;
  /** GET /readyz: true once a model is served. */
  ready(): Promise<boolean>;
  /** GET /metrics, as text. */
  metrics(): Promise<string>;
}

type Aliases = { aliases: Record<string, number> };
type Tags = { version: number; tags: Record<string, string> };

export function createAdminClient(options: AdminClientOptions): AdminClient {
  const base = options.url.replace(/\/+$/, '');
  const timeout = options.timeoutMs ?? 30_000;
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${options.adminToken}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeout),
    });
    const text = await res.text();
    const parsed: unknown = text === '' ? {} : JSON.parse(text);
    if (!res.ok) throw new ApiError(res.status, method, path, parsed as ApiError['body']);
    return parsed as T;
  };
  const id = (campaign: string) => `/admin/poison/${encodeURIComponent(campaign)}`;
  const tag = (version: number, key: string) => `/admin/models/${version}/tags/${encodeURIComponent(key)}`;
  return {
    poison: (request) => call('POST', '/admin/poison', request),
    campaigns: async () => (await call<{ campaigns: Campaign[] }>('GET', '/admin/poison')).campaigns,
    campaign: (campaign) => call('GET', id(campaign)),
    stopCampaign: (campaign) => call('DELETE', id(campaign)),
    cycle: () => call('POST', '/admin/cycle'),
    scan: () => call('POST', '/admin/scan'),
    pause: () => call('POST', '/admin/pause'),
    resume: () => call('POST', '/admin/resume'),
    setSchedule: (schedule) => call('PUT', '/admin/schedule', { schedule }),
    rollback: (version) => call('POST', '/admin/rollback', { version }),
    aliases: async () => (await call<Aliases>('GET', '/api/aliases')).aliases,
    setAlias: async (alias, version) =>
      (await call<Aliases>('PUT', `/admin/aliases/${encodeURIComponent(alias)}`, { version })).aliases,
    deleteAlias: async (alias) =>
      (await call<Aliases>('DELETE', `/admin/aliases/${encodeURIComponent(alias)}`)).aliases,
    setTag: async (version, key, value) => (await call<Tags>('PUT', tag(version, key), { value })).tags,
    deleteTag: async (version, key) => (await call<Tags>('DELETE', tag(version, key))).tags,
    scans: (version) => call('GET', `/api/models/${version}/scans`),
    state: () => call('GET', '/api/state'),
    models: (page = {}) => {
      const query = new URLSearchParams();
      if (page.limit !== undefined) query.set('limit', String(page.limit));
      if (page.cursor !== undefined) query.set('cursor', String(page.cursor));
      const qs = query.toString();
      return call('GET', qs ? `/api/models?${qs}` : '/api/models');
    },
    ready: async () => {
      try {
        return (await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(timeout) })).ok;
      } catch {
        return false;
      }
    },
    metrics: async () => (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(timeout) })).text(),
  };
}
