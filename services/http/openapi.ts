/**
 * The API contract: an OpenAPI 3.1 document generated from the zod schemas the routes
 * validate with (schemas.ts), so the document cannot drift from what the service accepts.
 * Served at /openapi.json; /docs renders it with Swagger UI from node_modules (no CDN).
 * test/services/openapi.test.ts checks that it lists every route of the express app.
 */
import {
  extendZodWithOpenApi,
  OpenApiGeneratorV31,
  OpenAPIRegistry,
  type RouteConfig,
} from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import { alertmanagerPayloadSchema } from '../loop/alerts.ts';
import { campaignSchema } from '../loop/campaigns.ts';
import { manifestSchema, pointerSchema } from '../registry/model-store.ts';
import { scanRecordSchema } from '../registry/scans.ts';
import { replayRequestSchema } from '../replay/replay-jobs.ts';
import {
  aliasBody,
  aliasParam,
  campaignParam,
  emptyBody,
  poisonBody,
  predictBody,
  replayParam,
  rollbackBody,
  scheduleBody,
  tagBody,
  tagParams,
  modelsQuery,
  versionParam,
} from './schemas.ts';

// The generator reads parameters through zod's prototype, which this extends once (zod 3).
extendZodWithOpenApi(z);

type Method = RouteConfig['method'];

/** Any JSON object; used where the body is the loop's state, documented in docs/service.md. */
const looseObject = (description: string) => z.object({}).passthrough().describe(description);
const errorBody = z
  .object({ error: z.string(), field: z.string().optional() })
  .passthrough()
  .describe('what was wrong (`field` names the bad request part)');

const json = (schema: z.ZodTypeAny, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const errors = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [String(c), json(errorBody, ERROR_TEXT[c] ?? 'error')]));
const ERROR_TEXT: Record<number, string> = {
  400: 'invalid request (zod validation)',
  401: 'missing or wrong bearer token',
  404: 'no such resource',
  409: 'refused: busy, a version that cannot be promoted, or a campaign that does not fit',
  413: 'body too large',
  415: 'unsupported content type',
  422: 'a damaged version (its files or manifest do not verify), or one that cannot be replayed (no or a corrupt experience record)',
  429: 'rate limit of this client reached',
  503: 'not now: no model served yet, the registry is read-only, or the change could not be saved',
};
/** emptyBody accepts no body or `{}`; OpenAPI has no `undefined`, so the optional body is `{}`. */
const noBody = {
  body: { content: { 'application/json': { schema: emptyBody.options[1] } }, required: false },
};

/** OpenAPI puts `{id}` where express has `:id`. */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/:(\w+)/g, '{$1}');
}

/** A manifest as the API shows it (registry/aliases.ts versionView). */
const versionViewSchema = manifestSchema.extend({
  status: z
    .enum(['candidate', 'promoted', 'rejected'])
    .describe('promoted: served at some time (the stored manifest stays immutable)'),
  promotedAt: z.string().nullable(),
  aliases: z.array(z.string()).describe('champion = served now, previous = served before it, user aliases'),
  tags: z.record(z.string(), z.string()),
});
const aliasesBody = z.object({ aliases: z.record(z.string(), z.number().int()) });
const tagsBody = z.object({ version: z.number().int(), tags: z.record(z.string(), z.string()) });

const ADMIN = [{ admin: [] }];
const HOOK = [{ hook: [] }];

/** Every route of the service: method, express path, and what OpenAPI says about it. */
export const ROUTES: readonly (Omit<RouteConfig, 'path'> & { path: string })[] = [
  {
    method: 'get',
    path: '/healthz',
    tags: ['probes'],
    summary: 'Liveness, and the training backend once loaded',
    responses: {
      200: json(
        z.object({
          status: z.enum(['ok', 'degraded', 'read-only']).describe('the registry health'),
          backend: z
            .object({
              name: z.string(),
              nativeKernels: z.boolean(),
              path: z.enum(['fast', 'slow']).optional(),
              hint: z.string().optional(),
            })
            .nullable(),
        }),
        'alive',
      ),
      ...errors(400),
    },
  },
  {
    method: 'get',
    path: '/readyz',
    tags: ['probes'],
    summary: 'Readiness: a model is served',
    responses: {
      200: json(
        z.object({
          ready: z.literal(true),
          modelVersion: z.number().int(),
          registry: looseObject('{ status, writable, reason, fallback, faults }'),
        }),
        'ready',
      ),
      503: json(
        z.object({
          ready: z.literal(false),
          modelVersion: z.null(),
          registry: looseObject('the registry health'),
        }),
        'not ready yet',
      ),
    },
  },
  {
    method: 'get',
    path: '/metrics',
    tags: ['probes'],
    summary: 'Prometheus metrics (text exposition format)',
    responses: { 200: { description: 'metrics', content: { 'text/plain': { schema: z.string() } } } },
  },
  {
    method: 'post',
    path: '/predict',
    tags: ['serving'],
    summary: 'Classify one image with the served model (JSON pixels or a PNG)',
    request: {
      body: {
        required: true,
        content: {
          'application/json': { schema: predictBody },
          'image/png': { schema: z.string().describe('PNG bytes (28x28 grey or the served shape)') },
        },
      },
    },
    responses: {
      200: json(
        z.object({
          label: z.number().int(),
          probabilities: z.array(z.number()),
          modelVersion: z.number().int(),
        }),
        'the prediction',
      ),
      ...errors(400, 413, 415, 429, 503),
    },
  },
  {
    method: 'get',
    path: '/api/state',
    tags: ['state'],
    summary: 'The live loop: phase, step, served model, schedule, campaigns, last scan, policy',
    responses: { 200: json(looseObject('the loop state (docs/service.md)'), 'the state'), ...errors(429) },
  },
  {
    method: 'get',
    path: '/api/models',
    tags: ['registry'],
    summary: 'One page of model versions (newest first) and the promoted one',
    request: { query: modelsQuery },
    responses: {
      200: json(
        z.object({
          promoted: looseObject('the served pointer').nullable(),
          versions: z.array(versionViewSchema),
          nextCursor: z.number().int().nullable().describe('`cursor` of the next page; null on the last'),
        }),
        'the versions',
      ),
      ...errors(400, 429),
    },
  },
  {
    method: 'get',
    path: '/api/models/:version',
    tags: ['registry'],
    summary: "One version's manifest and metrics",
    request: { params: versionParam },
    responses: {
      200: json(
        z.object({
          manifest: versionViewSchema,
          metrics: looseObject('evaluation metrics'),
          promoted: z.boolean(),
        }),
        'the version',
      ),
      ...errors(400, 404, 422, 429),
    },
  },
  {
    method: 'get',
    path: '/api/models/:version/scans',
    tags: ['registry'],
    summary: "The version's scan history, oldest first",
    request: { params: versionParam },
    responses: {
      200: json(z.object({ version: z.number().int(), scans: z.array(scanRecordSchema) }), 'the scans'),
      ...errors(400, 404),
    },
  },
  {
    method: 'get',
    path: '/api/aliases',
    tags: ['registry'],
    summary: 'Every alias and the version it names (champion, previous, user aliases)',
    responses: { 200: json(aliasesBody, 'the aliases'), ...errors(400) },
  },
  {
    method: 'put',
    path: '/admin/aliases/:alias',
    tags: ['admin'],
    summary: 'Point a user alias at a version (champion and previous move by promotion only)',
    security: ADMIN,
    request: {
      params: aliasParam,
      body: { required: true, content: { 'application/json': { schema: aliasBody } } },
    },
    responses: { 200: json(aliasesBody, 'the aliases'), ...errors(400, 401, 404, 409) },
  },
  {
    method: 'delete',
    path: '/admin/aliases/:alias',
    tags: ['admin'],
    summary: 'Remove a user alias',
    security: ADMIN,
    request: { params: aliasParam },
    responses: { 200: json(aliasesBody, 'the aliases left'), ...errors(400, 401, 404, 409) },
  },
  {
    method: 'put',
    path: '/admin/models/:version/tags/:key',
    tags: ['admin'],
    summary: 'Set a tag of a version',
    security: ADMIN,
    request: {
      params: tagParams,
      body: { required: true, content: { 'application/json': { schema: tagBody } } },
    },
    responses: { 200: json(tagsBody, "the version's tags"), ...errors(400, 401, 404) },
  },
  {
    method: 'delete',
    path: '/admin/models/:version/tags/:key',
    tags: ['admin'],
    summary: 'Remove a tag of a version',
    security: ADMIN,
    request: { params: tagParams },
    responses: { 200: json(tagsBody, "the version's tags left"), ...errors(400, 401, 404) },
  },
  {
    method: 'get',
    path: '/api/alerts',
    tags: ['state'],
    summary: 'Alerts received from Alertmanager (firing and recently resolved)',
    responses: { 200: json(looseObject('{ firing, resolved }'), 'the alerts') },
  },
  {
    method: 'post',
    path: '/admin/poison',
    tags: ['admin'],
    summary: 'Start a poison campaign (the attacker)',
    security: ADMIN,
    request: { body: { required: true, content: { 'application/json': { schema: poisonBody } } } },
    responses: { 202: json(campaignSchema, 'the campaign, queued'), ...errors(400, 401, 409, 503) },
    description: 'Refused with 409 when the injecting campaigns plus this one cannot fit an experience.',
  },
  {
    method: 'get',
    path: '/admin/poison',
    tags: ['admin'],
    summary: 'Every campaign',
    security: ADMIN,
    responses: {
      200: json(z.object({ campaigns: z.array(campaignSchema) }), 'the campaigns'),
      ...errors(401),
    },
  },
  {
    method: 'get',
    path: '/admin/poison/:id',
    tags: ['admin'],
    summary: 'One campaign',
    security: ADMIN,
    request: { params: campaignParam },
    responses: { 200: json(campaignSchema, 'the campaign'), ...errors(400, 401, 404) },
  },
  {
    method: 'delete',
    path: '/admin/poison/:id',
    tags: ['admin'],
    summary: 'Stop a campaign (it injects no more poison)',
    security: ADMIN,
    request: { params: campaignParam },
    responses: { 200: json(campaignSchema, 'the stopped campaign'), ...errors(400, 401, 404, 503) },
  },
  {
    method: 'post',
    path: '/admin/cycle',
    tags: ['admin'],
    summary: 'Run an update cycle now',
    security: ADMIN,
    request: noBody,
    responses: {
      202: json(z.object({ accepted: z.literal(true), step: z.number().int() }), 'started'),
      ...errors(400, 401, 409, 503),
    },
  },
  {
    method: 'post',
    path: '/admin/scan',
    tags: ['admin'],
    summary: 'Scan the served model for a backdoor now',
    security: ADMIN,
    request: noBody,
    responses: {
      202: json(z.object({ accepted: z.literal(true) }), 'started'),
      ...errors(400, 401, 409, 503),
    },
  },
  {
    method: 'post',
    path: '/admin/pause',
    tags: ['admin'],
    summary: 'Pause the scheduled cycles',
    security: ADMIN,
    request: noBody,
    responses: { 200: json(z.object({ paused: z.literal(true) }), 'paused'), ...errors(400, 401, 503) },
  },
  {
    method: 'post',
    path: '/admin/resume',
    tags: ['admin'],
    summary: 'Resume the scheduled cycles',
    security: ADMIN,
    request: noBody,
    responses: { 200: json(z.object({ paused: z.literal(false) }), 'resumed'), ...errors(400, 401, 503) },
  },
  {
    method: 'put',
    path: '/admin/schedule',
    tags: ['admin'],
    summary: "Set the operator's update schedule (sgd:<lr> or stlr:<max>[:<cut>])",
    security: ADMIN,
    request: { body: { required: true, content: { 'application/json': { schema: scheduleBody } } } },
    responses: {
      200: json(z.object({ operator: z.string(), effective: z.string() }), 'the schedule'),
      ...errors(400, 401, 503),
    },
  },
  {
    method: 'post',
    path: '/admin/rollback',
    tags: ['admin'],
    summary: 'Serve an earlier version again (a number, v<N>, an alias such as previous, or <name>@<alias>)',
    security: ADMIN,
    request: { body: { required: true, content: { 'application/json': { schema: rollbackBody } } } },
    responses: { 200: json(pointerSchema, 'the new pointer'), ...errors(400, 401, 404, 409, 422, 503) },
  },
  {
    method: 'post',
    path: '/admin/replay',
    tags: ['admin'],
    summary:
      'Replay the recorded history from a version under another policy (sgd:<lr>, stlr:<max>, <schedule>@v<N>, periodic:<schedule>:every=<n>, scan-stlr); runs in the background',
    security: ADMIN,
    request: { body: { required: true, content: { 'application/json': { schema: replayRequestSchema } } } },
    responses: {
      202: json(looseObject('the job: id, status queued, progress (docs/replay.md)'), 'queued'),
      ...errors(400, 401, 404, 409, 422),
    },
  },
  {
    method: 'get',
    path: '/admin/replay/:id',
    tags: ['admin'],
    summary: 'A replay job: status, per-version rows so far, and the result once done',
    security: ADMIN,
    request: { params: replayParam },
    responses: { 200: json(looseObject('the job (docs/replay.md)'), 'the job'), ...errors(400, 401, 404) },
  },
  {
    method: 'post',
    path: '/hooks/alertmanager',
    tags: ['hooks'],
    summary: "Alertmanager's webhook receiver",
    security: HOOK,
    request: {
      body: { required: true, content: { 'application/json': { schema: alertmanagerPayloadSchema } } },
    },
    responses: { 200: json(z.object({ received: z.number().int() }), 'recorded'), ...errors(400, 401) },
  },
  {
    method: 'get',
    path: '/openapi.json',
    tags: ['docs'],
    summary: 'This document',
    responses: { 200: json(looseObject('OpenAPI 3.1'), 'the contract') },
  },
  {
    method: 'get',
    path: '/docs',
    tags: ['docs'],
    summary: 'The API reference page (Swagger UI)',
    responses: { 200: { description: 'HTML', content: { 'text/html': { schema: z.string() } } } },
  },
  {
    method: 'get',
    path: '/docs/:file',
    tags: ['docs'],
    summary: "Swagger UI's assets, served from node_modules",
    request: { params: z.object({ file: z.string() }) },
    responses: { 200: { description: 'the asset' }, ...errors(404) },
  },
  {
    method: 'get',
    path: '/vendor/:file',
    tags: ['docs'],
    summary: "The dashboard's vendored scripts (chart.js), served from node_modules",
    request: { params: z.object({ file: z.string() }) },
    responses: { 200: { description: 'the script' }, ...errors(404) },
  },
];

/** The OpenAPI 3.1 document of the service (`version`: package.json's). */
export function openApiDocument(version: string): ReturnType<OpenApiGeneratorV31['generateDocument']> {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'admin', {
    type: 'http',
    scheme: 'bearer',
    description: 'ADMIN_TOKEN (printed by npm start when generated)',
  });
  registry.registerComponent('securitySchemes', 'hook', {
    type: 'http',
    scheme: 'bearer',
    description: 'ALERT_WEBHOOK_TOKEN (Alertmanager)',
  });
  for (const route of ROUTES) registry.registerPath({ ...route, path: openApiPath(route.path) });
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Permanence live service',
      version,
      description:
        'The live loop of Permanence: a model continually fine-tuned on drifting data, attacked and defended through this API.',
    },
  });
}

export type OpenApiMethod = Method;
