/**
 * The OpenAPI contract lists every route of the express app (enumerated from its router,
 * not from a list kept by hand), generated from the zod schemas the routes validate with,
 * and the running service serves it at /openapi.json with a local docs page at /docs.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Express } from 'express';
import { createApp, type AppDeps } from '../../services/http/app.ts';
import { openApiDocument, openApiPath } from '../../services/http/openapi.ts';
import { poisonBody } from '../../services/http/schemas.ts';
import { createLogger } from '../../services/log.ts';
import { startTestService, type TestService } from './helpers/service.ts';

interface RouterLayer {
  name: string;
  rawPath?: string;
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: RouterLayer[] };
}

/** "get /api/models/{version}" for every route of the app, mounted routers included. */
function appRoutes(app: Express): string[] {
  const out: string[] = [];
  const walk = (stack: readonly RouterLayer[], prefix: string): void => {
    for (const layer of stack) {
      if (layer.route) {
        for (const method of Object.keys(layer.route.methods))
          out.push(`${method} ${openApiPath(prefix + layer.route.path)}`);
      } else if (layer.name === 'router' && layer.handle.stack) {
        walk(layer.handle.stack, prefix + (layer.rawPath === '/' ? '' : (layer.rawPath ?? '')));
      }
    }
  };
  walk((app as unknown as { router: { stack: RouterLayer[] } }).router.stack, '');
  return out.sort();
}

function documentRoutes(): string[] {
  const paths = openApiDocument('test').paths ?? {};
  return Object.entries(paths)
    .flatMap(([path, item]) =>
      Object.keys(item ?? {})
        .filter((k) => ['get', 'put', 'post', 'delete', 'patch'].includes(k))
        .map((method) => `${method} ${path}`),
    )
    .sort();
}

describe('OpenAPI contract', () => {
  it('lists exactly the routes the express app serves', () => {
    // Route registration reads none of these: the handlers only use them per request.
    const deps = {
      log: createLogger('silent'),
      staticDir: '.',
      adminToken: 'a',
      hookToken: 'h',
    } as unknown as AppDeps;
    const routes = appRoutes(createApp(deps));
    assert.ok(routes.length >= 20, `enumerated ${routes.length} routes`);
    assert.ok(routes.includes('post /admin/poison') && routes.includes('get /api/models/{version}'));
    assert.deepEqual(documentRoutes(), routes);
  });

  it('is OpenAPI 3.1 generated from the zod schemas the routes validate with', () => {
    const doc = openApiDocument('1.2.3');
    assert.equal(doc.openapi, '3.1.0');
    assert.equal(doc.info.version, '1.2.3');
    const poison = doc.paths?.['/admin/poison']?.post;
    const schema = (poison?.requestBody as { content: Record<string, { schema: Record<string, unknown> }> })
      .content['application/json'].schema as {
      properties: Record<string, { enum?: string[]; maximum?: number }>;
    };
    // The same bounds poisonBody enforces.
    assert.deepEqual(schema.properties.attack.enum, ['badnets', 'blend', 'wanet']);
    assert.equal(schema.properties.ratio.maximum, 0.5);
    assert.equal(poisonBody.safeParse({ attack: 'badnets', ratio: 0.6 }).success, false);
    assert.deepEqual(poison?.security, [{ admin: [] }]);
    const version = doc.paths?.['/api/models/{version}']?.get?.parameters?.[0] as {
      in: string;
      name: string;
    };
    assert.deepEqual([version.in, version.name], ['path', 'version']);
    for (const [path, item] of Object.entries(doc.paths ?? {}))
      for (const [method, op] of Object.entries(item ?? {}))
        assert.ok((op as { responses?: object }).responses, `${method} ${path} documents its responses`);
  });
});

describe('served contract and docs page', () => {
  let svc: TestService;
  before(async () => {
    svc = await startTestService();
  });
  after(async () => {
    await svc?.dispose();
  });

  it('/openapi.json is the generated document; /docs and its assets come from this server', async () => {
    const res = await fetch(`${svc.url}/openapi.json`);
    assert.equal(res.status, 200);
    const served = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    assert.equal(served.openapi, '3.1.0');
    assert.deepEqual(Object.keys(served.paths).sort(), Object.keys(openApiDocument('x').paths ?? {}).sort());
    const page = await (await fetch(`${svc.url}/docs`)).text();
    const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    assert.ok(assets.length >= 3);
    for (const asset of assets) {
      assert.ok(asset.startsWith('/docs/'), `${asset} is served locally (no CDN)`);
      const a = await fetch(`${svc.url}${asset}`);
      assert.equal(a.status, 200, asset);
      await a.arrayBuffer();
    }
    assert.equal((await fetch(`${svc.url}/docs/package.json`)).status, 404);
  });
});
