/** The express application: JSON limits, routes, API docs, static dashboard, vendor assets, errors. */
import express, { type Express } from 'express';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { EventBus } from '../events.ts';
import type { Logger } from '../log.ts';
import { adminRoutes } from './admin-routes.ts';
import { requireBearer } from './auth.ts';
import { docsRoutes } from './docs-routes.ts';
import { errorHandler, HttpError } from './errors.ts';
import { hookRoutes } from './hook-routes.ts';
import { publicRoutes, type PublicDeps } from './public-routes.ts';
import { registryAdminRoutes, registryReadRoutes } from './registry-routes.ts';
import type { ReplayControl } from '../replay/replay-jobs.ts';
import { replayRoutes } from './replay-routes.ts';
import { requestLog } from './request-log.ts';

export interface AppDeps extends PublicDeps {
  log: Logger;
  events: EventBus;
  adminToken: string;
  hookToken: string;
  staticDir: string;
  replay: ReplayControl;
}

export const JSON_LIMIT = '64kb';

/** node_modules assets the dashboard loads, served under /vendor/. */
export function vendorAssets(): Record<string, string> {
  const require = createRequire(import.meta.url);
  // chart.js exports no package.json; its main entry sits in dist/ beside the UMD build.
  const distDir = dirname(require.resolve('chart.js'));
  return { 'chart.umd.js': join(distDir, 'chart.umd.js') };
}

export function createApp(d: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.use(requestLog(d.log));
  app.use(express.json({ limit: JSON_LIMIT, strict: true }));

  app.use(publicRoutes(d));
  app.use(registryReadRoutes(d));
  app.use(docsRoutes());
  app.use(
    '/admin',
    requireBearer(() => [d.adminToken]),
    adminRoutes(d.loop, d.log),
    registryAdminRoutes(d, d.log),
    replayRoutes(d.replay, d.log),
  );
  app.use(
    '/hooks',
    requireBearer(() => [d.hookToken]),
    hookRoutes(d.alerts, d.events, d.log),
  );

  const vendor = vendorAssets();
  app.get('/vendor/:file', (req, res, next) => {
    const path = vendor[req.params.file];
    if (!path) {
      next(new HttpError(404, 'not found'));
      return;
    }
    res.sendFile(path, { maxAge: '1h' });
  });
  app.use(express.static(d.staticDir, { index: 'index.html', fallthrough: true }));
  app.use((_req, _res, next) => next(new HttpError(404, 'not found')));
  app.use(errorHandler(d.log));
  return app;
}
