import { and, desc, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { invites, type InviteRow, type Role } from '../db/schema.ts';

/** An invite as `GET /api/rooms/:roomId/invites` shows it (never its token). */
export interface InviteView {
  id: string;
  role: Exclude<Role, 'owner'>;
  expiresAt: string;
  uses: number;
  maxUses: number | null;
  createdAt: string;
}

export function toInviteView(row: InviteRow): InviteView {
  return {
    id: row.id,
    role: row.role as InviteView['role'],
    expiresAt: new Date(row.expiresAt).toISOString(),
    uses: row.uses,
    maxUses: row.maxUses,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

/** Stored invites: what the signed invite tokens point at, so they can be counted and revoked. */
export class InviteStore {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async create(invite: { roomId: string; role: Exclude<Role, 'owner'>; expiresAt: Date; maxUses: number | null }): Promise<InviteRow> {
    const [row] = await this.db.insert(invites).values(invite).returning();
    return row!;
  }

  async list(roomId: string): Promise<InviteRow[]> {
    return this.db.select().from(invites).where(eq(invites.roomId, roomId)).orderBy(desc(invites.createdAt)).limit(1000);
  }

  /** @returns false when the room has no such invite. */
  async delete(roomId: string, id: string): Promise<boolean> {
    const deleted = await this.db
      .delete(invites)
      .where(and(eq(invites.roomId, roomId), eq(invites.id, id)))
      .returning({ id: invites.id });
    return deleted.length > 0;
  }

  /**
   * Counts one use, atomically, if the invite still exists, has not expired and has
   * uses left: two people racing for the last use cannot both get it.
   *
   * @returns the role it grants, or undefined when it may not be used.
   */
  async consume(roomId: string, id: string): Promise<Exclude<Role, 'owner'> | undefined> {
    const [row] = await this.db
      .update(invites)
      .set({ uses: sql`${invites.uses} + 1` })
      .where(
        and(
          eq(invites.id, id),
          eq(invites.roomId, roomId),
          gt(invites.expiresAt, sql`now()`),
          or(isNull(invites.maxUses), lt(invites.uses, invites.maxUses)),
        ),
      )
      .returning({ role: invites.role });
    return row?.role as Exclude<Role, 'owner'> | undefined;
  }
}
