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

/** Longest message or field an error answer carries: a huge input is never echoed back whole. */
export const MAX_ERROR_TEXT = 200;

/** `text` cut to `max` characters, marking the cut. */
export function bounded(text: string, max = MAX_ERROR_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** 400 naming the first offending field (`body.ratio`, `params.version`, ...). */
export function validationError(where: string, error: ZodError): HttpError {
  const issue = error.issues[0];
  const field = bounded([where, ...(issue?.path ?? [])].join('.'), 80);
  // The first issue is the message; the list carries the others (each bounded, at most 10).
  return new HttpError(400, `invalid ${field}: ${bounded(issue?.message ?? 'invalid value')}`, {
    field,
    issues: error.issues
      .slice(1, 11)
      .map((i) => ({ path: bounded([where, ...i.path].join('.'), 80), message: bounded(i.message) })),
  });
}

export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => {
    const e = err as { status?: number; statusCode?: number; type?: string; message?: string };
    if (err instanceof HttpError) {
      res.status(err.status).json({ ...err.details, error: bounded(err.message) });
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
      res.status(status).json({ error: bounded(e.message ?? 'bad request') });
      return;
    }
    log.error({ err, method: req.method, path: req.path }, 'request failed');
    res.status(500).json({ error: 'internal error' });
  };
}
