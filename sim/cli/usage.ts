/**
 * Usage errors: a flag with a bad value or a config that does not validate. main.ts exits 2
 * for these, as commander does for an unknown flag, and 1 for failures while running.
 */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Exit codes of every command (the root --help lists them). */
export const EXIT = { ok: 0, error: 1, usage: 2, flagged: 3 } as const;

/** A non-negative integer flag value. */
export function nonNegativeInteger(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n < 0)
    throw new UsageError(`--${flag} must be a non-negative integer, got '${text}'`);
  return n;
}

/** A positive integer flag value. */
export function positiveInteger(text: string, flag: string): number {
  const n = Number(text);
  if (text.trim() === '' || !Number.isInteger(n) || n <= 0)
    throw new UsageError(`--${flag} must be a positive integer, got '${text}'`);
  return n;
}

/** A positive finite number. */
export function positiveNumber(text: string, flag: string): number {
  const n = Number(text);
  if (!(n > 0) || !Number.isFinite(n))
    throw new UsageError(`--${flag} must be a positive number, got '${text}'`);
  return n;
}

/** Runs a parser of a flag value, turning its error into a UsageError. */
export function usage<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw error instanceof UsageError ? error : new UsageError((error as Error).message);
  }
}
