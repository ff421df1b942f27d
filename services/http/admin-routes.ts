/** /admin/*: the operator's and the attacker's levers, behind the admin bearer token. */
import { Router, type ErrorRequestHandler } from 'express';
import { CampaignLimitError } from '../loop/campaigns.ts';
import {
  AdmissionError,
  BusyError,
  CorruptVersionError,
  InvalidCampaignError,
  NotDurableError,
  NotReadyError,
  ReadOnlyError,
  RejectedVersionError,
} from '../loop/errors.ts';
import type { LoopControl } from '../loop/loop-control.ts';
import type { Logger } from '../log.ts';
import { InvalidRefError, ReservedAliasError } from '../registry/aliases.ts';
import { VersionNotFoundError } from '../registry/model-store.ts';
import { HttpError } from './errors.ts';
import { campaignParam, emptyBody, poisonBody, rollbackBody, scheduleBody } from './schemas.ts';
import { parseOr400 } from './validate.ts';

/** HTTP status of the loop's and the registry's refusals; undefined for anything else. */
function refusalStatus(err: unknown): number | undefined {
  if (err instanceof NotReadyError || err instanceof NotDurableError || err instanceof ReadOnlyError)
    return 503;
  if (err instanceof InvalidCampaignError || err instanceof InvalidRefError) return 400;
  if (err instanceof ReservedAliasError) return 409;
  if (
    err instanceof BusyError ||
    err instanceof RejectedVersionError ||
    err instanceof CampaignLimitError ||
    err instanceof AdmissionError
  )
    return 409;
  if (err instanceof CorruptVersionError) return 422;
  if (err instanceof VersionNotFoundError) return 404;
  return undefined;
}

/** Turns refusals into HttpErrors for the app's error handler; passes the rest on unchanged. */
export const refusals: ErrorRequestHandler = (err: unknown, _req, _res, next) => {
  const status = refusalStatus(err);
  const details =
    err instanceof InvalidCampaignError
      ? { field: err.field }
      : err instanceof InvalidRefError
        ? { field: 'body.version' }
        : undefined;
  next(status === undefined ? err : new HttpError(status, (err as Error).message, details));
};

export function adminRoutes(loop: LoopControl, log: Logger): Router {
  const r = Router();

  r.post('/poison', async (req, res) => {
    const input = parseOr400(poisonBody, req.body, 'body');
    const campaign = await loop.createCampaign(input);
    log.info(
      { campaign: campaign.id, trigger: campaign.trigger, mode: campaign.mode },
      'poison campaign created',
    );
    res.status(202).location(`/admin/poison/${campaign.id}`).json(campaign);
  });

  r.get('/poison', (_req, res) => {
    res.json({ campaigns: loop.state().campaigns });
  });

  r.get('/poison/:id', (req, res) => {
    const { id } = parseOr400(campaignParam, req.params, 'params');
    const campaign = loop.state().campaigns.find((c) => c.id === id);
    if (!campaign) throw new HttpError(404, `campaign ${id} does not exist`);
    res.json(campaign);
  });

  r.delete('/poison/:id', async (req, res) => {
    const { id } = parseOr400(campaignParam, req.params, 'params');
    const campaign = await loop.stopCampaign(id);
    if (!campaign) throw new HttpError(404, `campaign ${id} does not exist`);
    res.json(campaign);
  });

  const accepted = (result: { accepted: boolean; reason?: string }, what: string) => {
    if (result.accepted) return;
    throw new HttpError(result.reason === 'busy' ? 409 : 503, `${what} refused: ${result.reason}`);
  };

  r.post('/cycle', (req, res) => {
    parseOr400(emptyBody, req.body, 'body');
    accepted(loop.startCycle(), 'cycle');
    res.status(202).json({ accepted: true, step: loop.currentStep() + 1 });
  });

  r.post('/scan', (req, res) => {
    parseOr400(emptyBody, req.body, 'body');
    accepted(loop.startScan(), 'scan');
    res.status(202).json({ accepted: true });
  });

  r.post('/pause', async (req, res) => {
    parseOr400(emptyBody, req.body, 'body');
    await loop.setPaused(true);
    res.json({ paused: true });
  });

  r.post('/resume', async (req, res) => {
    parseOr400(emptyBody, req.body, 'body');
    await loop.setPaused(false);
    res.json({ paused: false });
  });

  r.put('/schedule', async (req, res) => {
    const { schedule } = parseOr400(scheduleBody, req.body, 'body');
    await loop.setSchedule(schedule);
    res.json(loop.state().schedule);
  });

  r.post('/rollback', async (req, res) => {
    const { version } = parseOr400(rollbackBody, req.body, 'body');
    res.json(await loop.rollback(version));
  });

  r.use(refusals);
  return r;
}
