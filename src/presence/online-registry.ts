/** Someone with a room open. */
export interface OnlineUser {
  id: string;
  name: string;
}

/**
 * Who has which room open. The local registry knows this instance only; the Redis
 * one (scale-out) answers for every instance.
 */
export interface OnlineRegistry {
  add(roomId: string, sessionId: string, user: OnlineUser): Promise<void>;
  remove(roomId: string, sessionId: string): Promise<void>;
  /** Distinct users, in the order they arrived. */
  list(roomId: string): Promise<OnlineUser[]>;
  close(): Promise<void>;
}

/** The single-instance registry: a map per room. */
export class LocalOnlineRegistry implements OnlineRegistry {
  private readonly rooms = new Map<string, Map<string, OnlineUser>>();

  async add(roomId: string, sessionId: string, user: OnlineUser): Promise<void> {
    let sessions = this.rooms.get(roomId);
    if (!sessions) this.rooms.set(roomId, (sessions = new Map()));
    sessions.set(sessionId, user);
  }

  async remove(roomId: string, sessionId: string): Promise<void> {
    const sessions = this.rooms.get(roomId);
    sessions?.delete(sessionId);
    if (sessions?.size === 0) this.rooms.delete(roomId);
  }

  async list(roomId: string): Promise<OnlineUser[]> {
    return distinctUsers(this.rooms.get(roomId)?.values() ?? []);
  }

  async close(): Promise<void> {
    this.rooms.clear();
  }
}

/** One entry per user id, whatever number of tabs they have open. */
export function distinctUsers(users: Iterable<OnlineUser>): OnlineUser[] {
  const seen = new Map<string, OnlineUser>();
  for (const user of users) if (!seen.has(user.id)) seen.set(user.id, { id: user.id, name: user.name });
  return [...seen.values()];
}
