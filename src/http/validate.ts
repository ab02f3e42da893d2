import { zValidator } from '@hono/zod-validator';
import type { ZodType } from 'zod';
import { badRequest } from './errors.ts';

/**
 * Validates the JSON body with a zod schema; any failure is a 400 in API.md's error
 * shape naming the first bad field. Handlers then read only `c.req.valid('json')`.
 */
export function jsonBody<T extends ZodType>(schema: T) {
  return zValidator('json', schema, (result) => {
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue?.path.length ? issue.path.join('.') : 'body';
      throw badRequest(`${field}: ${issue?.message ?? 'invalid'}`, 'validation-failed');
    }
  });
}
