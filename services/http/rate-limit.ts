/**
 * Per-client rate limit of the public routes that do work (/predict, /api/*): one client
 * cannot take the event loop from the others. Probes and /metrics are not limited (an
 * orchestrator or Prometheus must always get through). In-memory counts: one process.
 */
import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';

/** A limiter allowing `perMinute` requests per client IP and minute; 0 turns it off. */
export function publicRateLimit(perMinute: number): RequestHandler {
  if (perMinute === 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, res) => {
      res.status(429).json({ error: `rate limit: at most ${perMinute} requests a minute per client` });
    },
  });
}
