import { and, desc, eq, inArray, notInArray, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import { roomMembers, rooms, users, type MemberVia, type Role, type RoomRow } from '../db/schema.ts';
import type { Membership } from './access.ts';
import { newRoomId } from './ids.ts';

/** A member as `GET /api/rooms/:roomId/members` shows it. */
export interface MemberView {
  user: { id: string; name: string };
  role: Role;
  joinedAt: string;
}

/** Which memberships an access change drops, and whether room tokens issued before stop working. */
export interface AccessChange {
  dropMembersVia: MemberVia[];
  bumpEpoch: boolean;
}

// A stronger way in is kept when someone joins again another way: an invited member
// who also knows the password stays invited (and survives a password change).
const VIA_RANK = sql`CASE room_members.via WHEN 'invite' THEN 3 WHEN 'password' THEN 2 ELSE 1 END`;
const EXCLUDED_VIA_RANK = sql`CASE excluded.via WHEN 'invite' THEN 3 WHEN 'password' THEN 2 ELSE 1 END`;

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

function toMemberView(row: { id: string; name: string; role: string; joinedAt: Date | string }): MemberView {
  return { user: { id: row.id, name: row.name }, role: row.role as Role, joinedAt: new Date(row.joinedAt).toISOString() };
}

export interface NewRoom {
  /** Chosen beforehand when something must name the room before it exists (a fork's board). */
  id?: string;
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
      .values({ ...room, id: room.id ?? newRoomId() })
      .returning();
    return row!;
  }

  async get(id: string): Promise<RoomRow | undefined> {
    const [row] = await this.db.select().from(rooms).where(eq(rooms.id, id)).limit(1);
    return row;
  }

  /**
   * Applies the changes; with `access`, in the same transaction drops the memberships
   * that change revokes and bumps the access epoch.
   */
  async update(id: string, changes: RoomChanges, access?: AccessChange): Promise<RoomRow | undefined> {
    if (!access || (!access.bumpEpoch && access.dropMembersVia.length === 0)) {
      if (Object.keys(changes).length === 0) return this.get(id);
      const [row] = await this.db.update(rooms).set(changes).where(eq(rooms.id, id)).returning();
      return row;
    }
    return this.db.transaction(async (tx) => {
      // The room row first: its lock makes a concurrent join (addMember) wait and
      // then see the new epoch.
      const [row] = await tx
        .update(rooms)
        .set({ ...changes, ...(access.bumpEpoch ? { accessEpoch: sql`${rooms.accessEpoch} + 1` } : {}) })
        .where(eq(rooms.id, id))
        .returning();
      if (row && access.dropMembersVia.length > 0) {
        await tx.delete(roomMembers).where(and(eq(roomMembers.roomId, id), inArray(roomMembers.via, access.dropMembersVia)));
      }
      return row;
    });
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

  /**
   * The room and the user's membership in one round trip: what a socket's access
   * decision needs, on the connect path of every client.
   */
  async withMember(roomId: string, userId: string): Promise<{ room: RoomRow; member: Membership | undefined } | undefined> {
    const [row] = await this.db
      .select({ room: rooms, role: roomMembers.role, via: roomMembers.via })
      .from(rooms)
      .leftJoin(roomMembers, and(eq(roomMembers.roomId, rooms.id), eq(roomMembers.userId, userId)))
      .where(eq(rooms.id, roomId))
      .limit(1);
    if (!row) return undefined;
    return { room: row.room, member: row.role && row.via ? { role: row.role as Role, via: row.via as MemberVia } : undefined };
  }

  /**
   * The room and up to `limit` of its members, for caching access decisions: two
   * indexed reads in parallel.
   */
  async withMembers(roomId: string, limit: number): Promise<{ room: RoomRow; members: Map<string, Membership> } | undefined> {
    const [room, rows] = await Promise.all([
      this.get(roomId),
      this.db
        .select({ userId: roomMembers.userId, role: roomMembers.role, via: roomMembers.via })
        .from(roomMembers)
        .where(eq(roomMembers.roomId, roomId))
        .limit(limit),
    ]);
    if (!room) return undefined;
    return { room, members: new Map(rows.map((row) => [row.userId, { role: row.role as Role, via: row.via as MemberVia }])) };
  }

  async member(roomId: string, userId: string): Promise<Membership | undefined> {
    const [row] = await this.db
      .select({ role: roomMembers.role, via: roomMembers.via })
      .from(roomMembers)
      .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)))
      .limit(1);
    return row ? { role: row.role as Role, via: row.via as MemberVia } : undefined;
  }

  /**
   * Records (or upgrades) a membership: a viewer invite never downgrades an editor,
   * and the strongest way in is kept. Only while the room's access epoch is still
   * `epoch` (the one the caller checked access under): a password change racing a
   * join cannot leave a member who got in with the old password. The room row is
   * share-locked, so an access change in flight is waited for and then seen.
   *
   * @returns false when the room's access changed meanwhile (nothing recorded).
   */
  async addMember(room: { id: string; accessEpoch: number }, userId: string, role: Role, via: MemberVia): Promise<boolean> {
    const rows = await queryRows<{ room_id: string }>(
      this.db,
      sql`INSERT INTO room_members (room_id, user_id, role, via)
          SELECT id, ${userId}, ${role}, ${via} FROM rooms WHERE id = ${room.id} AND access_epoch = ${room.accessEpoch} FOR SHARE
          ON CONFLICT (room_id, user_id) DO UPDATE SET
            role = CASE WHEN room_members.role = 'viewer' THEN excluded.role ELSE room_members.role END,
            via = CASE WHEN ${EXCLUDED_VIA_RANK} > ${VIA_RANK} THEN excluded.via ELSE room_members.via END
          RETURNING room_id`,
    );
    return rows.length > 0;
  }

  /** Members with their names, earliest first. */
  async listMembers(roomId: string): Promise<MemberView[]> {
    const rows = await this.db
      .select({ id: users.id, name: users.name, role: roomMembers.role, joinedAt: roomMembers.joinedAt })
      .from(roomMembers)
      .innerJoin(users, eq(users.id, roomMembers.userId))
      .where(eq(roomMembers.roomId, roomId))
      .orderBy(roomMembers.joinedAt, roomMembers.userId)
      .limit(10_000);
    return rows.map(toMemberView);
  }

  /** @returns the member with the new role, or undefined when not a member. */
  async setMemberRole(roomId: string, userId: string, role: Exclude<Role, 'owner'>): Promise<MemberView | undefined> {
    const [row] = await this.db
      .update(roomMembers)
      .set({ role })
      .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)))
      .returning({ role: roomMembers.role, joinedAt: roomMembers.joinedAt });
    if (!row) return undefined;
    const [user] = await this.db.select({ id: users.id, name: users.name }).from(users).where(eq(users.id, userId)).limit(1);
    return toMemberView({ id: userId, name: user?.name ?? '', role: row.role, joinedAt: row.joinedAt });
  }

  /** @returns false when the user was not a member. */
  async removeMember(roomId: string, userId: string): Promise<boolean> {
    const removed = await this.db
      .delete(roomMembers)
      .where(and(eq(roomMembers.roomId, roomId), eq(roomMembers.userId, userId)))
      .returning({ userId: roomMembers.userId });
    return removed.length > 0;
  }

  /**
   * Rooms the user owns or has joined, newest activity first: one page of at most
   * `limit`, starting after `before` (the `lastActive` of the previous page's last room).
   *
   * The cursor is what the API shows, milliseconds, while the database keeps
   * microseconds, and rooms can share a moment: so times are compared at millisecond
   * precision, and a page that ends inside a group of rooms sharing one millisecond
   * takes the rest of the group too (it may hold more than `limit`). Otherwise the next
   * page, starting before that millisecond, would skip them.
   */
  async listForUser(userId: string, page: { limit: number; before?: Date }): Promise<RoomRow[]> {
    const joined = this.db.select({ id: roomMembers.roomId }).from(roomMembers).where(eq(roomMembers.userId, userId));
    const mine = or(eq(rooms.ownerId, userId), inArray(rooms.id, joined));
    const shownTime = sql`date_trunc('milliseconds', ${rooms.lastActive})`;
    const rows = await this.db
      .select()
      .from(rooms)
      .where(page.before ? and(mine, sql`${shownTime} < ${page.before.toISOString()}::timestamptz`) : mine)
      .orderBy(desc(rooms.lastActive), desc(rooms.id))
      .limit(page.limit);
    const last = rows.at(-1);
    if (rows.length < page.limit || !last) return rows;
    const listed = rows.map((row) => row.id);
    const sameMoment = await this.db
      .select()
      .from(rooms)
      .where(
        and(
          mine,
          sql`${shownTime} = date_trunc('milliseconds', ${new Date(last.lastActive).toISOString()}::timestamptz)`,
          notInArray(rooms.id, listed),
        ),
      )
      .orderBy(desc(rooms.lastActive), desc(rooms.id));
    return [...rows, ...sameMoment];
  }
}
