import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Role } from '../db/schema.ts';
import { displayName } from '../names/names.ts';

/** Why a token was refused; these strings reach the provider as `authenticationFailed` reasons. */
export type TokenFailure = 'token-expired' | 'invalid-token';

export class TokenError extends Error {
  override name = 'TokenError';
  readonly reason: TokenFailure;
  constructor(reason: TokenFailure, message: string) {
    super(message);
    this.reason = reason;
  }
}

/** A person. Also what an application with its own login mints itself. */
export interface UserClaims {
  kind: 'user';
  sub: string;
  name: string;
  email?: string;
  avatarUrl?: string;
  exp: number;
}

/** Opens one room with one role (from /join). */
export interface RoomClaims {
  kind: 'room';
  sub: string;
  name: string;
  room: string;
  role: Role;
  /** The room's access epoch when the token was issued (0 for tokens from before epochs). */
  epoch: number;
  exp: number;
}

/** Lets its holder /join one room with one role. */
export interface InviteClaims {
  kind: 'invite';
  room: string;
  role: Exclude<Role, 'owner'>;
  /** The `invites` row that counts its uses and can revoke it (absent in old, unrevocable invites). */
  inviteId?: string;
  exp: number;
}

export type Claims = UserClaims | RoomClaims | InviteClaims;

const ROLES = new Set(['owner', 'editor', 'viewer']);

/**
 * HS256 tokens. The algorithm is pinned (no `none`, no RS/ES confusion), `exp` is
 * required, and a list of secrets supports rotation: verify with each, sign with the first.
 */
export class TokenService {
  /**
   * Key objects made once: given a string, jsonwebtoken tries to parse it as a PEM
   * public key and then builds a secret key, on every call (a tenth of a connect).
   */
  private readonly secrets: readonly KeyObject[];

  constructor(secrets: readonly string[]) {
    if (secrets.length === 0) throw new Error('TokenService needs at least one secret');
    this.secrets = secrets.map((secret) => createSecretKey(Buffer.from(secret, 'utf8')));
  }

  signUser(user: { id: string; name: string; email?: string | null; avatarUrl?: string | null }, ttlSeconds: number): string {
    const payload: Record<string, unknown> = { typ: 'user', name: user.name };
    if (user.email) payload.email = user.email;
    if (user.avatarUrl) payload.avatarUrl = user.avatarUrl;
    return this.sign(payload, user.id, ttlSeconds);
  }

  signRoom(user: { id: string; name: string }, room: { id: string; accessEpoch: number }, role: Role, ttlSeconds: number): string {
    return this.sign({ typ: 'room', name: user.name, room: room.id, role, ep: room.accessEpoch }, user.id, ttlSeconds);
  }

  signInvite(invite: { id: string; roomId: string; role: Exclude<Role, 'owner'> }, ttlSeconds: number): string {
    return this.sign({ typ: 'invite', room: invite.roomId, role: invite.role, inv: invite.id }, undefined, ttlSeconds);
  }

  /**
   * @param token - a compact JWS.
   * @returns the typed claims.
   * @throws TokenError with reason `token-expired` or `invalid-token`.
   */
  verify(token: string): Claims {
    if (!token) throw new TokenError('invalid-token', 'no token');
    let expired = false;
    for (const secret of this.secrets) {
      try {
        const payload = jwt.verify(token, secret, { algorithms: ['HS256'] });
        return toClaims(payload);
      } catch (error) {
        if (error instanceof jwt.TokenExpiredError) expired = true;
        else if (error instanceof TokenError) throw error;
      }
    }
    // Only call it expired when the signature was good; a forged expired token is just invalid.
    throw expired ? new TokenError('token-expired', 'token expired') : new TokenError('invalid-token', 'token invalid');
  }

  private sign(payload: Record<string, unknown>, subject: string | undefined, ttlSeconds: number): string {
    return jwt.sign(payload, this.secrets[0]!, {
      algorithm: 'HS256',
      expiresIn: ttlSeconds,
      ...(subject !== undefined ? { subject } : {}),
    });
  }
}

function toClaims(payload: string | jwt.JwtPayload): Claims {
  if (typeof payload === 'string' || typeof payload.exp !== 'number') {
    throw new TokenError('invalid-token', 'token has no exp');
  }
  const { exp } = payload;
  const typ = payload.typ ?? 'user';
  if (typ === 'invite') {
    if (typeof payload.room !== 'string' || (payload.role !== 'editor' && payload.role !== 'viewer')) {
      throw new TokenError('invalid-token', 'malformed invite');
    }
    return {
      kind: 'invite',
      room: payload.room,
      role: payload.role,
      exp,
      ...(typeof payload.inv === 'string' ? { inviteId: payload.inv } : {}),
    };
  }
  if (typeof payload.sub !== 'string' || payload.sub === '' || payload.sub.length > 128) {
    throw new TokenError('invalid-token', 'token has no valid sub');
  }
  // Names in tokens minted elsewhere are shown to others too: no bidi or zero-width tricks.
  const name = (typeof payload.name === 'string' ? displayName(payload.name).slice(0, 100) : '') || 'Anonymous';
  if (typ === 'room') {
    if (typeof payload.room !== 'string' || !ROLES.has(payload.role)) {
      throw new TokenError('invalid-token', 'malformed room token');
    }
    const epoch = payload.ep === undefined ? 0 : payload.ep;
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new TokenError('invalid-token', 'malformed room token');
    return { kind: 'room', sub: payload.sub, name, room: payload.room, role: payload.role, epoch, exp };
  }
  if (typ !== 'user') throw new TokenError('invalid-token', 'unknown token type');
  return {
    kind: 'user',
    sub: payload.sub,
    name,
    exp,
    ...(typeof payload.email === 'string' ? { email: payload.email } : {}),
    ...(typeof payload.avatarUrl === 'string' ? { avatarUrl: payload.avatarUrl } : {}),
  };
}
