/** Unauthenticated routes: probes, metrics, predictions and read-only state. */
import express, { Router } from 'express';
import type { Registry } from 'prom-client';
import type { BackendInfo } from '../../sim/backend/loader.ts';
import { speedPath } from '../../sim/backend/speed-path.ts';
import type { LoopControl } from '../loop/loop-control.ts';
import type { AlertLog } from '../loop/alerts.ts';
import type { ServiceMetrics } from '../metrics/index.ts';
import {
  imageFromNumbers,
  imageFromPng,
  InvalidImageError,
  type InputShape,
} from '../predict/image-input.ts';
import type { Predictor } from '../predict/predictor.ts';
import { loadAliases, versionView } from '../registry/aliases.ts';
import { ChecksumError, CorruptFileError, type ModelStore } from '../registry/model-store.ts';
import { HttpError } from './errors.ts';
import { publicRateLimit } from './rate-limit.ts';
import { modelsQuery, noQuery, predictBody, versionParam } from './schemas.ts';
import { parseOr400 } from './validate.ts';

export interface PublicDeps {
  loop: LoopControl;
  store: ModelStore;
  predictor: Predictor;
  metrics: ServiceMetrics;
  registry: Registry;
  alerts: AlertLog;
  inputShape: () => InputShape | undefined;
  /** The training backend once loaded (undefined while the service starts). */
  backend: () => BackendInfo | undefined;
  /** Requests per client and minute to /predict and /api/* (0: no limit). */
  rateLimitPerMinute: number;
}

const PNG_LIMIT = '64kb';

export function publicRoutes(d: PublicDeps): Router {
  const r = Router();
  const limited = publicRateLimit(d.rateLimitPerMinute);
  r.use(['/predict', '/api'], limited);

  r.get('/healthz', (req, res) => {
    parseOr400(noQuery, req.query, 'query');
    const info = d.backend();
    const speed = info && speedPath(info);
    // Liveness stays 200 (a restart would not mend the storage); the status says how it serves.
    const registry = d.loop.registryHealth().status;
    res.json({
      status: registry,
      backend: info
        ? { name: info.name, nativeKernels: info.native.loaded, path: speed?.path, hint: speed?.hint }
        : null,
    });
  });

  r.get('/readyz', (_req, res) => {
    const ready = d.loop.isReady() && d.predictor.loaded;
    res.status(ready ? 200 : 503).json({
      ready,
      modelVersion: ready ? d.predictor.modelVersion : null,
      registry: d.loop.registryHealth(),
    });
  });

  r.get('/metrics', async (_req, res) => {
    res.type(d.registry.contentType).send(await d.registry.metrics());
  });

  r.post('/predict', express.raw({ type: 'image/png', limit: PNG_LIMIT }), (req, res) => {
    const started = performance.now();
    const shape = d.inputShape();
    if (!shape || !d.predictor.loaded) throw new HttpError(503, 'no model is served yet');
    parseOr400(noQuery, req.query, 'query');
    let image: Float32Array;
    try {
      if (req.is('image/png')) {
        if (!Buffer.isBuffer(req.body) || req.body.length === 0)
          throw new HttpError(400, 'invalid body: empty PNG', { field: 'body' });
        image = imageFromPng(req.body, shape);
      } else {
        if (!req.is('application/json')) throw new HttpError(415, 'send application/json or image/png');
        const body = parseOr400(predictBody, req.body, 'body');
        image = imageFromNumbers(body.image, body.scale, shape);
      }
    } catch (err) {
      if (err instanceof InvalidImageError) throw new HttpError(400, err.message, { field: err.field });
      throw err;
    }
    const prediction = d.predictor.predict(image);
    d.metrics.predict.predictions.inc();
    d.metrics.predict.predictionDuration.observe((performance.now() - started) / 1000);
    res.json(prediction);
  });

  r.get('/api/state', (_req, res) => {
    res.json(d.loop.state());
  });

  r.get('/api/models', async (req, res) => {
    const { limit, cursor } = parseOr400(modelsQuery, req.query, 'query');
    const [page, aliases] = await Promise.all([
      d.loop.listModels(limit, cursor ?? null),
      loadAliases(d.store, d.loop.name),
    ]);
    const versions = page.versions.map((m) => versionView(m, aliases));
    res.json({ promoted: d.loop.state().model, versions, nextCursor: page.next });
  });

  r.get('/api/models/:version', async (req, res) => {
    const { version } = parseOr400(versionParam, req.params, 'params');
    try {
      const manifest = await d.store.getManifest(d.loop.name, version);
      if (!manifest) throw new HttpError(404, `version ${version} does not exist`);
      const loaded = await d.store.loadVersion(d.loop.name, version);
      const view = versionView(manifest, await loadAliases(d.store, d.loop.name));
      res.json({
        manifest: view,
        metrics: loaded.metrics,
        promoted: d.loop.state().model?.version === version,
      });
    } catch (err) {
      // A damaged version is the registry's state, not a server fault: say what is wrong.
      if (err instanceof ChecksumError || err instanceof CorruptFileError)
        throw new HttpError(422, `version ${version} is damaged: ${err.message}`);
      throw err;
    }
  });

  r.get('/api/alerts', (_req, res) => {
    res.json(d.alerts.list());
  });

  return r;
}
