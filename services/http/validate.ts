/** zod parsing of request parts; failures become 400s naming the field. */
import type { z } from 'zod';
import { validationError } from './errors.ts';

export function parseOr400<S extends z.ZodTypeAny>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationError(where, result.error);
  return result.data;
}
