/** Bearer-token guard with a constant-time comparison (hashes equalise the lengths). */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { HttpError } from './errors.ts';

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export function tokenMatches(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

export function requireBearer(tokens: () => readonly string[]): RequestHandler {
  return (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header);
    // Compare against every accepted token so the time does not reveal which one matched.
    const ok = m !== null && tokens().reduce((acc, t) => tokenMatches(m[1], t) || acc, false);
    if (!ok) {
      next(new HttpError(401, 'missing or invalid bearer token'));
      return;
    }
    next();
  };
}
