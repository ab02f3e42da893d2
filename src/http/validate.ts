import { zValidator } from '@hono/zod-validator';
import type { ZodType } from 'zod';
import { DECEPTIVE_NAME_MESSAGE } from '../names/names.ts';
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
      // A deceptive name gets its own code, which the app logs as a security event.
      throw badRequest(
        `${field}: ${issue?.message ?? 'invalid'}`,
        issue?.message === DECEPTIVE_NAME_MESSAGE ? 'invalid-name' : 'validation-failed',
      );
    }
  });
}

/** Validates the query string the same way (400 naming the first bad parameter). */
export function jsonQuery<T extends ZodType>(schema: T) {
  return zValidator('query', schema, (result) => {
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue?.path.length ? issue.path.join('.') : 'query';
      throw badRequest(`${field}: ${issue?.message ?? 'invalid'}`, 'validation-failed');
    }
  });
}
