import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { z } from 'zod';
import { nameSchema } from '../../names/names.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { rateLimit } from '../middleware/rate-limit.ts';
import { jsonBody } from '../validate.ts';

export const guestBody = z.strictObject({ name: nameSchema });

/** `POST /api/auth/guest`: a named guest user and a user token for it. */
export function authRoutes(deps: AppDeps) {
  return new Hono<AppEnv>().post(
    '/guest',
    rateLimit({ ...deps.config.limits.guestCreations, log: deps.log, name: 'guest creation' }),
    jsonBody(guestBody),
    async (c) => {
      const { name } = c.req.valid('json');
      const user = await deps.users.create({ id: randomUUID(), name });
      const token = deps.tokens.signUser(user, deps.config.tokens.guestTtlSeconds);
      return c.json({ token, user: { id: user.id, name: user.name } }, 201);
    },
  );
}
