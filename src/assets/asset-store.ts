import { and, eq, inArray, isNotNull, lt, lte, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { hasSqlState, FOREIGN_KEY_VIOLATION, queryRows } from '../db/rows.ts';
import { assets, type AssetRow } from '../db/schema.ts';

/** Asset ids are SHA-256 hex; anything else is an unknown id, not a database error. */
export const ASSET_ID_PATTERN = /^[0-9a-f]{64}$/;

/**
 * Namespace of the per-room advisory lock that serialises quota checks and the
 * garbage collector's deletions in one room (the second key is the room's hash).
 */
const ASSET_LOCK_NAMESPACE = 7_352_902;

/** A new asset's row, as the upload computed it. */
export interface NewAsset {
  roomId: string;
  id: string;
  mimeType: string;
  size: number;
  width: number | null;
  height: number | null;
  createdBy: string;
}

/** What `add` did: stored a new row, found the same bytes already there, or refused over the quota. */
export type AddOutcome =
  | { kind: 'created'; row: AssetRow }
  | { kind: 'existing'; row: AssetRow }
  | { kind: 'over-quota'; usedBytes: number }
  | { kind: 'room-gone' };

/** The `assets` table: one row per distinct file of a room. */
export class AssetStore {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async get(roomId: string, id: string): Promise<AssetRow | undefined> {
    if (!ASSET_ID_PATTERN.test(id)) return undefined;
    const [row] = await this.db
      .select()
      .from(assets)
      .where(and(eq(assets.roomId, roomId), eq(assets.id, id)))
      .limit(1);
    return row;
  }

  /**
   * The same bytes uploaded again: the row, now counted as wanted (the garbage
   * collector starts its grace period afresh). Waits for a collector that is deleting
   * the row right now, and then finds nothing.
   */
  async reuse(roomId: string, id: string): Promise<AssetRow | undefined> {
    const [row] = await this.db
      .update(assets)
      .set({ unreferencedSince: null, checkedAt: null })
      .where(and(eq(assets.roomId, roomId), eq(assets.id, id)))
      .returning();
    return row;
  }

  /**
   * Adds an asset unless the room's assets would then exceed `maxRoomBytes`. Under the
   * room's asset lock, so two uploads cannot both fit into the last free bytes, and a
   * collector deleting in the room is waited for.
   */
  async add(asset: NewAsset, maxRoomBytes: number): Promise<AddOutcome> {
    try {
      return await this.db.transaction(async (transaction) => {
        const tx = transaction as unknown as Db;
        await lockRoomAssets(tx, asset.roomId);
        const existing = await new AssetStore(tx).reuse(asset.roomId, asset.id);
        if (existing) return { kind: 'existing', row: existing };
        const usedBytes = await new AssetStore(tx).usage(asset.roomId);
        if (usedBytes + asset.size > maxRoomBytes) return { kind: 'over-quota', usedBytes };
        const [row] = await tx.insert(assets).values(asset).returning();
        return { kind: 'created', row: row! };
      });
    } catch (error) {
      if (hasSqlState(error, FOREIGN_KEY_VIOLATION)) return { kind: 'room-gone' };
      throw error;
    }
  }

  /** Bytes of all the room's assets together. */
  async usage(roomId: string): Promise<number> {
    const [usage] = await queryRows<{ used: string | number | null }>(
      this.db,
      sql`SELECT coalesce(sum(size), 0) AS used FROM assets WHERE room_id = ${roomId}`,
    );
    return Number(usage?.used ?? 0);
  }

  /**
   * Rooms the garbage collector should look at: with an asset never checked, checked
   * before the room last changed (a store, or a session opening it), or unreferenced
   * for longer than `graceMs`.
   */
  async roomsToCheck(graceMs: number, limit: number): Promise<string[]> {
    const rows = await queryRows<{ room_id: string }>(
      this.db,
      sql`SELECT DISTINCT a.room_id FROM assets a JOIN rooms r ON r.id = a.room_id
          WHERE a.checked_at IS NULL OR a.checked_at < r.last_active
             OR a.unreferenced_since < now() - make_interval(secs => ${graceMs / 1000})
          LIMIT ${limit}`,
    );
    return rows.map((row) => row.room_id);
  }

  async ids(roomId: string): Promise<string[]> {
    const rows = await this.db.select({ id: assets.id }).from(assets).where(eq(assets.roomId, roomId));
    return rows.map((row) => row.id);
  }

  /** The database's clock: check times are compared with `rooms.last_active`, which it sets. */
  async now(): Promise<Date> {
    const [row] = await queryRows<{ now: string | Date }>(this.db, sql`SELECT now() AS now`);
    return new Date(row!.now);
  }

  /**
   * Records what the collector saw when it read the room's versions at `readAt`:
   * `referenced` assets are wanted, the others (that existed then) unreferenced since
   * then at the latest. Then deletes those unreferenced for longer than `graceMs`,
   * calling `deleteFiles` for each before the rows go: under the room's asset lock and
   * with the rows locked, so an upload of the same bytes waits and then stores them anew.
   *
   * @returns the deleted ids, or `undefined` when another instance holds the room's lock.
   */
  async settle(
    roomId: string,
    referenced: string[],
    readAt: Date,
    graceMs: number,
    deleteFiles: (id: string) => Promise<void>,
  ): Promise<string[] | undefined> {
    return this.db.transaction(async (transaction) => {
      const tx = transaction as unknown as Db;
      if (!(await tryLockRoomAssets(tx, roomId))) return undefined;
      const inRoom = eq(assets.roomId, roomId);
      if (referenced.length > 0) {
        await tx
          .update(assets)
          .set({ unreferencedSince: null, checkedAt: readAt })
          .where(and(inRoom, inArray(assets.id, referenced)));
      }
      await tx
        .update(assets)
        .set({ unreferencedSince: sql`coalesce(${assets.unreferencedSince}, ${readAt.toISOString()}::timestamptz)`, checkedAt: readAt })
        .where(and(inRoom, notInArray(assets.id, referenced), lte(assets.createdAt, readAt)));
      const expired = await tx
        .delete(assets)
        .where(
          and(
            inRoom,
            notInArray(assets.id, referenced),
            isNotNull(assets.unreferencedSince),
            lt(assets.unreferencedSince, sql`now() - make_interval(secs => ${graceMs / 1000})`),
          ),
        )
        .returning({ id: assets.id });
      // A failure here rolls the deletions back: rows stay until their files are gone.
      for (const { id } of expired) await deleteFiles(id);
      return expired.map((row) => row.id);
    });
  }
}

/** Takes the room's asset lock until the end of the transaction `tx`. */
export async function lockRoomAssets(tx: Db, roomId: string): Promise<void> {
  await tx.execute(sql`SELECT pg_advisory_xact_lock(${ASSET_LOCK_NAMESPACE}, hashtext(${roomId}))`);
}

/** Tries to take the room's asset lock for `tx`; false when someone else holds it. */
export async function tryLockRoomAssets(tx: Db, roomId: string): Promise<boolean> {
  const [row] = await queryRows<{ locked: boolean }>(
    tx,
    sql`SELECT pg_try_advisory_xact_lock(${ASSET_LOCK_NAMESPACE}, hashtext(${roomId})) AS locked`,
  );
  return row?.locked === true;
}
