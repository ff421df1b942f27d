/** /admin/*: the operator's and the attacker's levers, behind the admin bearer token. */
import { Router } from 'express';
import { CampaignLimitError } from '../loop/campaigns.ts';
import { BusyError, NotReadyError, RejectedVersionError, type LiveLoop } from '../loop/live-loop.ts';
import type { Logger } from '../log.ts';
import { VersionNotFoundError } from '../registry/model-store.ts';
import { HttpError } from './errors.ts';
import { campaignParam, emptyBody, poisonBody, rollbackBody, scheduleBody } from './schemas.ts';
import { parseOr400 } from './validate.ts';

/** The loop refuses operator changes until it has read the stored operator state: 503. */
function unavailable(err: unknown): never {
  if (err instanceof NotReadyError) throw new HttpError(503, err.message);
  throw err;
}

export function adminRoutes(loop: LiveLoop, log: Logger): Router {
  const r = Router();

  r.post('/poison', async (req, res) => {
    const input = parseOr400(poisonBody, req.body, 'body');
    try {
      const campaign = await loop.createCampaign(input).catch(unavailable);
      log.info(
        { campaign: campaign.id, trigger: campaign.trigger, mode: campaign.mode },
        'poison campaign created',
      );
      res.status(202).location(`/admin/poison/${campaign.id}`).json(campaign);
    } catch (err) {
      if (err instanceof CampaignLimitError) throw new HttpError(409, err.message);
      throw err;
    }
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
    const campaign = await loop.stopCampaign(id).catch(unavailable);
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
    await loop.setPaused(true).catch(unavailable);
    res.json({ paused: true });
  });

  r.post('/resume', async (req, res) => {
    parseOr400(emptyBody, req.body, 'body');
    await loop.setPaused(false).catch(unavailable);
    res.json({ paused: false });
  });

  r.put('/schedule', async (req, res) => {
    const { schedule } = parseOr400(scheduleBody, req.body, 'body');
    await loop.setSchedule(schedule).catch(unavailable);
    res.json(loop.state().schedule);
  });

  r.post('/rollback', async (req, res) => {
    const { version } = parseOr400(rollbackBody, req.body, 'body');
    try {
      res.json(await loop.rollback(version));
    } catch (err) {
      if (err instanceof VersionNotFoundError) throw new HttpError(404, err.message);
      if (err instanceof RejectedVersionError) throw new HttpError(409, err.message);
      if (err instanceof BusyError) throw new HttpError(409, err.message);
      if (err instanceof NotReadyError) throw new HttpError(503, err.message);
      throw err;
    }
  });

  return r;
}
