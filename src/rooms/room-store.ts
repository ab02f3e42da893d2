import { and, desc, eq, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import { roomMembers, rooms, type Role, type RoomRow } from '../db/schema.ts';
import { newRoomId } from './ids.ts';

/** A room as the API shows it: never the password or its hash. */
export interface RoomView {
  id: string;
  name: string;
  visibility: 'public' | 'private';
  hasPassword: boolean;
  ownerId: string | null;
  createdAt: string;
  lastActive: string;
  settings: Record<string, unknown>;
}

export function toRoomView(row: RoomRow): RoomView {
  return {
    id: row.id,
    name: row.name,
    visibility: row.visibility as RoomView['visibility'],
    hasPassword: row.passwordHash !== null,
    ownerId: row.ownerId,
    createdAt: new Date(row.createdAt).toISOString(),
    lastActive: new Date(row.lastActive).toISOString(),
    settings: row.settings ?? {},
  };
}

export interface NewRoom {
  name: string;
  ownerId: string;
  visibility: 'public' | 'private';
  passwordHash: string | null;
}

export interface RoomChanges {
  name?: string;
  visibility?: 'public' | 'private';
  passwordHash?: string | null;
  settings?: Record<string, unknown>;
}

/** Rooms, their members and their join/leave history. */
export class RoomStore {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async create(room: NewRoom): Promise<RoomRow> {
    const [row] = await this.db
      .insert(rooms)
      .values({ id: newRoomId(), ...room })
      .returning();
    return row!;
  }

  async get(id: string): Promise<RoomRow | undefined> {
    const [row] = await this.db.select().from(rooms).where(eq(rooms.id, id)).limit(1);
    return row;
  }

  async update(id: string, changes: RoomChanges): Promise<RoomRow | undefined> {
    if (Object.keys(changes).length === 0) return this.get(id);
    const [row] = await this.db.update(rooms).set(changes).where(eq(rooms.id, id)).returning();
    return row;
  }

  async delete(id: string): Promise<boolean> {
    const deleted = await this.db.delete(rooms).where(eq(rooms.id, id)).returning({ id: rooms.id });
    return deleted.length > 0;
  }

  async memberRole(roomId: string, userId: string): Promise<Role | undefined> {
    const [row] = await this.db
      .select({ role: roomMembers.role })
      .from(roomMembers)
      .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)))
      .limit(1);
    return row?.role as Role | undefined;
  }

  /** Records (or upgrades) a membership; a viewer invite never downgrades an editor. */
  async addMember(roomId: string, userId: string, role: Role): Promise<void> {
    await this.db
      .insert(roomMembers)
      .values({ roomId, userId, role })
      .onConflictDoUpdate({
        target: [roomMembers.roomId, roomMembers.userId],
        set: {
          role: sql`CASE WHEN ${roomMembers.role} = 'viewer' THEN excluded.role ELSE ${roomMembers.role} END`,
        },
      });
  }

  /** Rooms the user owns or has joined, newest activity first. */
  async listForUser(userId: string): Promise<RoomRow[]> {
    const joined = this.db.select({ id: roomMembers.roomId }).from(roomMembers).where(eq(roomMembers.userId, userId));
    return this.db
      .select()
      .from(rooms)
      .where(or(eq(rooms.ownerId, userId), inArray(rooms.id, joined)))
      .orderBy(desc(rooms.lastActive), desc(rooms.createdAt))
      .limit(500);
  }

  /**
   * A WebSocket session opened the room: history row plus `last_active`, in one
   * round trip (this runs for every connection). Nothing is recorded for a room
   * deleted meanwhile.
   */
  async recordJoin(roomId: string, userId: string, clientId: string, role: Role): Promise<string | undefined> {
    const [row] = await queryRows<{ id: string }>(
      this.db,
      sql`WITH room AS (UPDATE rooms SET last_active = now() WHERE id = ${roomId} RETURNING id)
          INSERT INTO room_participants (room_id, user_id, client_id, role)
          SELECT room.id, ${userId}, ${clientId.slice(0, 50)}, ${role} FROM room
          RETURNING id`,
    );
    return row?.id;
  }

  /** The session left: closes its history row and marks the room active, in one round trip. */
  async recordLeave(participantId: string, roomId: string): Promise<void> {
    await this.db.execute(
      sql`WITH room AS (UPDATE rooms SET last_active = now() WHERE id = ${roomId})
          UPDATE room_participants SET left_at = now() WHERE id = ${participantId}`,
    );
  }
}
