/** /admin/replay: counterfactual replay jobs of the live history (docs/replay.md). */
import { Router, type ErrorRequestHandler } from 'express';
import { ReplayInputError } from '../../sim/replay/history.ts';
import { ReplayQueueFullError, replayRequestSchema, type ReplayControl } from '../replay/replay-jobs.ts';
import type { Logger } from '../log.ts';
import { HttpError } from './errors.ts';
import { replayParam } from './schemas.ts';
import { parseOr400 } from './validate.ts';

/** Bad input names its status (missing version 404, unreadable record 422, else 400); a full queue is 409. */
const refusals: ErrorRequestHandler = (err: unknown, _req, _res, next) => {
  if (err instanceof ReplayInputError) next(new HttpError(err.status, err.message));
  else if (err instanceof ReplayQueueFullError) next(new HttpError(409, err.message));
  else next(err);
};

export function replayRoutes(replay: ReplayControl, log: Logger): Router {
  const r = Router();

  r.post('/replay', async (req, res) => {
    const request = parseOr400(replayRequestSchema, req.body, 'body');
    const job = await replay.submit(request);
    log.info({ job: job.id, ...request }, 'replay job queued');
    res.status(202).location(`/admin/replay/${job.id}`).json(job);
  });

  r.get('/replay/:id', (req, res) => {
    const { id } = parseOr400(replayParam, req.params, 'params');
    const job = replay.get(id);
    if (!job) throw new HttpError(404, `replay job ${id} does not exist`);
    res.json(job);
  });

  r.use(refusals);
  return r;
}
