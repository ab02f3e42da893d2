import type { Context, MiddlewareHandler } from 'hono';
import { TokenError, type TokenService, type UserClaims } from '../../auth/tokens.ts';
import type { AppEnv } from '../app-env.ts';
import { unauthorized } from '../errors.ts';

/** Reads the user token from `Authorization: Bearer`, or `undefined` when there is none. */
export function readBearer(c: Context<AppEnv>, tokens: TokenService): UserClaims | undefined {
  const header = c.req.header('authorization');
  if (!header) return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match) throw unauthorized('Authorization must be "Bearer <token>"', 'invalid-token');
  try {
    const claims = tokens.verify(match[1]!);
    if (claims.kind !== 'user') throw unauthorized('A user token is required here (from /api/auth/guest)', 'invalid-token');
    return claims;
  } catch (error) {
    if (error instanceof TokenError) throw unauthorized(`Bearer token refused: ${error.reason}`, error.reason);
    throw error;
  }
}

/**
 * Requires a valid user token and puts its claims in `c.get('user')`.
 *
 * @param tokens - verifies HS256 with every configured secret.
 */
export function bearerAuth(tokens: TokenService): MiddlewareHandler<AppEnv> {
  return async function bearerAuth(c, next) {
    const user = readBearer(c, tokens);
    if (!user) throw unauthorized();
    c.set('user', user);
    await next();
  };
}
