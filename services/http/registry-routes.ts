/**
 * The registry's aliases, tags and scan histories (services/registry/aliases.ts, scans.ts):
 * reads are public, the admin router sets user aliases and tags. `champion` and `previous`
 * move only by promotion (a cycle or /admin/rollback).
 */
import { Router } from 'express';
import { aliasMap } from '../../sim/models/registry-aliases.ts';
import { deleteAlias, deleteTag, loadAliases, setAlias, setTags } from '../registry/aliases.ts';
import type { ModelStore } from '../registry/model-store.ts';
import { loadScans } from '../registry/scans.ts';
import type { Logger } from '../log.ts';
import type { LoopControl } from '../loop/loop-control.ts';
import { refusals } from './admin-routes.ts';
import { HttpError } from './errors.ts';
import { aliasBody, aliasParam, noQuery, tagBody, tagParams, versionParam } from './schemas.ts';
import { parseOr400 } from './validate.ts';

export interface RegistryDeps {
  store: ModelStore;
  /** The loop names the model the service serves. */
  loop: Pick<LoopControl, 'name'>;
}

export function registryReadRoutes(d: RegistryDeps): Router {
  const r = Router();

  r.get('/api/aliases', async (req, res) => {
    parseOr400(noQuery, req.query, 'query');
    res.json({ aliases: aliasMap(await loadAliases(d.store, d.loop.name)) });
  });

  r.get('/api/models/:version/scans', async (req, res) => {
    const { version } = parseOr400(versionParam, req.params, 'params');
    res.json(await loadScans(d.store, d.loop.name, version));
  });

  r.use(refusals);
  return r;
}

export function registryAdminRoutes(d: RegistryDeps, log: Logger): Router {
  const r = Router();

  r.put('/aliases/:alias', async (req, res) => {
    const { alias } = parseOr400(aliasParam, req.params, 'params');
    const { version } = parseOr400(aliasBody, req.body, 'body');
    const aliases = await setAlias(d.store, d.loop.name, alias, version);
    log.info({ alias, version }, 'alias set');
    res.json({ aliases });
  });

  r.delete('/aliases/:alias', async (req, res) => {
    const { alias } = parseOr400(aliasParam, req.params, 'params');
    if (!(await deleteAlias(d.store, d.loop.name, alias)))
      throw new HttpError(404, `alias '${alias}' is not set`);
    res.json({ aliases: aliasMap(await loadAliases(d.store, d.loop.name)) });
  });

  r.put('/models/:version/tags/:key', async (req, res) => {
    const { version, key } = parseOr400(tagParams, req.params, 'params');
    const { value } = parseOr400(tagBody, req.body, 'body');
    res.json({ version, tags: await setTags(d.store, d.loop.name, version, { [key]: value }) });
  });

  r.delete('/models/:version/tags/:key', async (req, res) => {
    const { version, key } = parseOr400(tagParams, req.params, 'params');
    if (!(await deleteTag(d.store, d.loop.name, version, key)))
      throw new HttpError(404, `v${version} has no tag '${key}'`);
    const record = await loadAliases(d.store, d.loop.name);
    res.json({ version, tags: record.tags[version] ?? {} });
  });

  r.use(refusals);
  return r;
}
