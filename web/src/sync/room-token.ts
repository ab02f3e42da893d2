import { isJwtExpiring } from '../api/jwt.ts';
import type { RoomAccess } from '../api/rooms.ts';

/**
 * Hands out the room token for the WebSocket, fetching a fresh one through `/join` when the
 * current one is about to expire or the server said it had (the provider asks on every
 * (re)connect). Concurrent requests share one refresh.
 */
export class RoomTokenSource {
  private access: RoomAccess;
  private readonly rejoin: () => Promise<RoomAccess>;
  private refreshing: Promise<RoomAccess> | null = null;
  private stale = false;

  /**
   * @param initial - the answer of the `/join` call that admitted the user
   * @param rejoin - repeats that call with the same credentials
   */
  constructor(initial: RoomAccess, rejoin: () => Promise<RoomAccess>) {
    this.access = initial;
    this.rejoin = rejoin;
  }

  /** The role the latest token grants. */
  get role(): RoomAccess['role'] {
    return this.access.role;
  }

  /** Forces the next {@link getToken} to fetch a new token. */
  invalidate(): void {
    this.stale = true;
  }

  /** A token valid for at least another minute; suitable as the provider's `token` option. */
  getToken = async (): Promise<string> => {
    if (!this.stale && !isJwtExpiring(this.access.token)) return this.access.token;
    this.refreshing ??= this.rejoin().finally(() => {
      this.refreshing = null;
    });
    this.access = await this.refreshing;
    this.stale = false;
    return this.access.token;
  };
}
