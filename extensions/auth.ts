import type { connectedPayload, Extension, onAuthenticatePayload, onDisconnectPayload } from '@hocuspocus/server';
import { TokenError, type Claims, type TokenService } from '../src/auth/tokens.ts';
import { logSecurityEvent, type Logger } from '../src/log.ts';
import type { Metrics } from '../src/metrics.ts';
import { canWrite, socketRole } from '../src/rooms/access.ts';
import { ROOM_ID_PATTERN } from '../src/rooms/ids.ts';
import type { RoomAccessCache } from '../src/rooms/access-cache.ts';
import { CloseCodes } from '../src/protocol/close-codes.ts';
import { colorFor, type ConnectionContext } from '../src/ws/context.ts';

export interface AuthConfiguration {
  tokens: TokenService;
  access: RoomAccessCache;
  metrics: Metrics;
  log: Logger;
}

type AuthReason = 'permission-denied' | 'room-not-found' | 'token-expired' | 'invalid-token';

// setTimeout's ceiling; longer waits are re-armed.
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Decides who may open which room with which role (API.md), makes viewers read-only
 * through `connectionConfig.readOnly` (Hocuspocus then refuses their updates), and
 * closes a connection when its token expires.
 */
export class Auth implements Extension {
  extensionName = 'scrible-auth';
  priority = 1100;
  private readonly configuration: AuthConfiguration;
  private readonly expiryTimers = new Map<string, NodeJS.Timeout>();

  constructor(configuration: AuthConfiguration) {
    this.configuration = configuration;
  }

  async onAuthenticate(
    payload: onAuthenticatePayload<ConnectionContext>,
  ): Promise<Omit<ConnectionContext, 'ip' | 'closeSocket' | 'markAuthenticated'>> {
    const { tokens } = this.configuration;
    const { documentName, connectionConfig } = payload;
    let claims: Claims;
    try {
      claims = tokens.verify(payload.token);
    } catch (error) {
      this.refuse(payload, error instanceof TokenError ? error.reason : 'invalid-token');
    }
    if (claims.kind === 'invite') this.refuse(payload, 'invalid-token', 'an invite is not a socket token; POST /join first');
    // The membership as it is now: a removed member or a changed role counts even
    // when the token was issued before. Cached per room, kept fresh by access changes.
    const found = ROOM_ID_PATTERN.test(documentName)
      ? await this.fromDatabase(payload, () => this.configuration.access.lookup(documentName, claims))
      : undefined;
    if (!found) this.refuse(payload, 'room-not-found', undefined, claims.sub);
    const { room, member } = found;
    const role = socketRole(claims, room, member);
    if (role === 'permission-denied' || role === 'room-not-found') {
      const stale = claims.kind === 'room' && claims.room === room.id && claims.epoch !== room.accessEpoch;
      this.refuse(payload, role, stale ? 'token issued before an access change' : undefined, claims.sub);
    }

    connectionConfig.readOnly = !canWrite(role);
    payload.context.markAuthenticated?.(claims.sub);
    return {
      user: { id: claims.sub, name: claims.name, color: colorFor(claims.sub) },
      ...(claims.kind === 'user' ? { profile: { email: claims.email, avatarUrl: claims.avatarUrl } } : {}),
      role,
      roomId: room.id,
      tokenExp: claims.exp,
    };
  }

  async connected({ connection, context, socketId, documentName }: connectedPayload<ConnectionContext>): Promise<void> {
    const key = `${socketId}\0${documentName}`;
    const arm = () => {
      const remaining = context.tokenExp * 1000 - Date.now();
      if (remaining > MAX_TIMER_MS) {
        this.expiryTimers.set(key, setTimeout(arm, MAX_TIMER_MS));
        return;
      }
      this.expiryTimers.set(
        key,
        setTimeout(
          () => {
            this.expiryTimers.delete(key);
            // Close the socket itself: the provider then reconnects and asks its
            // token function for a fresh token.
            connection.webSocket.close(CloseCodes.tokenExpired.code, CloseCodes.tokenExpired.reason);
          },
          Math.max(0, remaining),
        ),
      );
    };
    arm();
  }

  async onDisconnect({ socketId, documentName }: onDisconnectPayload): Promise<void> {
    const key = `${socketId}\0${documentName}`;
    clearTimeout(this.expiryTimers.get(key));
    this.expiryTimers.delete(key);
  }

  async onDestroy(): Promise<void> {
    for (const timer of this.expiryTimers.values()) clearTimeout(timer);
    this.expiryTimers.clear();
  }

  /**
   * A database read for an access decision. When the database cannot answer, the
   * socket is closed instead of refusing: a refusal is final for a provider, a close
   * makes it retry.
   */
  private async fromDatabase<T>(payload: onAuthenticatePayload<ConnectionContext>, read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      this.configuration.log.warn({ err: error, roomId: payload.documentName }, 'cannot check room access: database unavailable');
      const { code, reason } = CloseCodes.storageUnavailable;
      payload.context.closeSocket?.(code, reason);
      throw Object.assign(new Error('database unavailable'), { reason });
    }
  }

  private refuse(payload: onAuthenticatePayload<ConnectionContext>, reason: AuthReason, detail?: string, userId?: string): never {
    this.configuration.metrics.authFailures.inc({ reason });
    logSecurityEvent(this.configuration.log, {
      type: 'auth-failed',
      reason: detail ? `${reason}: ${detail}` : reason,
      roomId: payload.documentName.slice(0, 64),
      ...(userId ? { userId } : {}),
      ...(payload.context.ip ? { ip: payload.context.ip } : {}),
    });
    // A plain object, not an Error: Hocuspocus sends `reason` to the provider as
    // `authenticationFailed`, and skips its console logging for objects without
    // `message` (we already logged a structured security event).
    throw { reason };
  }
}
