import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { hasSqlState, queryRows, toBuffer, UNIQUE_VIOLATION } from '../db/rows.ts';
import { roomSnapshots, users } from '../db/schema.ts';
import { fromBase64, snapshotBase64, snapshotData } from './stored-rows.ts';

/** Who made a version: the user's id and name (null when this server never recorded them). */
export interface VersionAuthor {
  id: string;
  name: string | null;
}

/** One stored version as `GET /api/rooms/:id/snapshots` lists it. */
export interface SnapshotInfo {
  version: number;
  createdAt: string;
  bytes: number;
  /** Set for versions named through `POST /api/rooms/:id/versions`. */
  name: string | null;
  /** The user who made the change or named the version; null when unknown. */
  createdBy: VersionAuthor | null;
}

/** Versioned Yjs snapshots of rooms in `room_snapshots`. */
export class SnapshotStore {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async latest(roomId: string): Promise<{ version: number; data: Uint8Array } | undefined> {
    const [row] = await this.db
      .select({ version: roomSnapshots.version, base64: snapshotBase64 })
      .from(roomSnapshots)
      .where(eq(roomSnapshots.roomId, roomId))
      .orderBy(desc(roomSnapshots.version))
      .limit(1);
    return row && { version: row.version, data: fromBase64(row.base64) };
  }

  get(roomId: string, version: number): Promise<Uint8Array | undefined> {
    return snapshotData(this.db, roomId, version);
  }

  /** Whether the room has this version (without reading it). */
  async has(roomId: string, version: number): Promise<boolean> {
    const [row] = await this.db
      .select({ version: roomSnapshots.version })
      .from(roomSnapshots)
      .where(and(eq(roomSnapshots.roomId, roomId), eq(roomSnapshots.version, version)))
      .limit(1);
    return row !== undefined;
  }

  /** The room's versions, newest first. */
  async list(roomId: string): Promise<SnapshotInfo[]> {
    const rows = await this.db
      .select({
        version: roomSnapshots.version,
        createdAt: roomSnapshots.createdAt,
        bytes: sql<number>`octet_length(${roomSnapshots.snapshotData})`,
        name: roomSnapshots.name,
        createdBy: roomSnapshots.createdBy,
        authorName: users.name,
      })
      .from(roomSnapshots)
      .leftJoin(users, eq(users.id, roomSnapshots.createdBy))
      .where(eq(roomSnapshots.roomId, roomId))
      .orderBy(desc(roomSnapshots.version));
    return rows.map((r) => ({
      version: r.version,
      createdAt: new Date(r.createdAt).toISOString(),
      bytes: Number(r.bytes),
      name: r.name,
      createdBy: r.createdBy === null ? null : { id: r.createdBy, name: r.authorName },
    }));
  }

  /**
   * Appends the next version of a room and marks the room active. The version is computed in the INSERT and
   * guarded by unique (room_id, version), so two concurrent stores (two instances,
   * or a retry racing a newer store) can never write the same version; the loser
   * simply takes the next number.
   *
   * @param createdBy - the user the version is credited to (null: unknown)
   * @returns the new version, or `undefined` when the room no longer exists.
   */
  async append(roomId: string, state: Uint8Array, stateVector: Uint8Array, createdBy: string | null = null): Promise<number | undefined> {
    const data = toBuffer(state);
    const vector = toBuffer(stateVector);
    for (let attempt = 0; ; attempt++) {
      try {
        const rows = await queryRows<{ version: number }>(
          this.db,
          // One round trip: the room's activity time moves with its content.
          sql`WITH room AS (UPDATE rooms SET last_active = now() WHERE id = ${roomId} RETURNING id)
              INSERT INTO room_snapshots (room_id, snapshot_data, state_vector, version, created_by)
              SELECT room.id, ${data}::bytea, ${vector}::bytea,
                     COALESCE((SELECT max(s.version) FROM room_snapshots s WHERE s.room_id = room.id), 0) + 1,
                     ${createdBy}::varchar
              FROM room
              RETURNING version`,
        );
        return rows[0] ? Number(rows[0].version) : undefined;
      } catch (error) {
        if (!hasSqlState(error, UNIQUE_VIOLATION) || attempt >= 20) throw error;
      }
    }
  }

  /** Deletes all but the newest `keep` versions of a room; named versions are kept. */
  async prune(roomId: string, keep: number): Promise<void> {
    await this.db.execute(
      sql`DELETE FROM room_snapshots WHERE room_id = ${roomId} AND name IS NULL AND version <= (
            SELECT max(version) - ${keep} FROM room_snapshots WHERE room_id = ${roomId})`,
    );
  }
}
