/** HTTP errors and the one error handler that turns them (and body-parser's) into JSON. */
import type { ErrorRequestHandler } from 'express';
import type { ZodError } from 'zod';
import type { Logger } from '../log.ts';

export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** 400 naming the first offending field (`body.ratio`, `params.version`, ...). */
export function validationError(where: string, error: ZodError): HttpError {
  const issue = error.issues[0];
  const field = [where, ...(issue?.path ?? [])].join('.');
  return new HttpError(400, `invalid ${field}: ${issue?.message ?? 'invalid value'}`, {
    field,
    issues: error.issues
      .slice(0, 10)
      .map((i) => ({ path: [where, ...i.path].join('.'), message: i.message })),
  });
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const e = err as { status?: number; statusCode?: number; type?: string; message?: string };
    if (err instanceof HttpError) {
      res.status(err.status).json({ error: err.message, ...err.details });
      return;
    }
    // body-parser errors carry a status and a type.
    if (e.type === 'entity.too.large') {
      res.status(413).json({ error: 'request body too large' });
      return;
    }
    if (e.type === 'entity.parse.failed') {
      res.status(400).json({ error: 'body is not valid JSON', field: 'body' });
      return;
    }
    const status = e.status ?? e.statusCode;
    if (status && status >= 400 && status < 500) {
      res.status(status).json({ error: e.message ?? 'bad request' });
      return;
    }
    log.error({ err, method: req.method, path: req.path }, 'request failed');
    res.status(500).json({ error: 'internal error' });
  };
}
