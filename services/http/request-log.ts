/** One log line per request: method, path, status, duration. Headers (tokens) are never logged. */
import type { RequestHandler } from 'express';
import type { Logger } from '../log.ts';

const QUIET = new Set(['/metrics', '/healthz', '/readyz', '/predict']);

export function requestLog(log: Logger): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    res.on('finish', () => {
      const entry = {
        method: req.method,
        path: req.path,
        status: res.statusCode,
        ms: Math.round(performance.now() - started),
      };
      // Probes and scrapes are frequent and a 503 from /readyz during start-up is expected.
      if (res.statusCode === 500) log.error(entry, 'request');
      else if (QUIET.has(req.path)) log.debug(entry, 'request');
      else if (res.statusCode >= 400) log.warn(entry, 'request');
      else log.info(entry, 'request');
    });
    next();
  };
}
