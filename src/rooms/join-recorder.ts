import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { arrayParam, queryRows } from '../db/rows.ts';
import type { Role } from '../db/schema.ts';
import type { Logger } from '../log.ts';
import type { UserIdentity, UserStore } from '../users/user-store.ts';

const textArray = (values: (string | null)[]) => arrayParam(values, 'text');

export interface JoinRecorderOptions {
  db: Db;
  users: UserStore;
  log: Logger;
  /** Joins (or leaves) in one statement at most; more wait for the next. @default 500 */
  maxBatch?: number;
  /**
   * How long joins and leaves gather before they are written. Nobody waits for them
   * (the boards page's order and the history tolerate it), so a connect storm of
   * any rate costs a few statements a second. @default 50 (ms)
   */
  windowMs?: number;
}

export interface Join {
  roomId: string;
  user: UserIdentity;
  /** The socket's id: a participant row per session. */
  clientId: string;
  role: Role;
}

interface PendingJoin extends Join {
  resolve: (participantId: string | undefined) => void;
}

interface PendingLeave {
  participantId: string;
  roomId: string;
  resolve: () => void;
}

/**
 * The join/leave history (`room_participants`, `rooms.last_active`) and the user rows
 * behind it, written off the connect path: the joins (and the leaves) gathered over
 * `windowMs` go to the database as one statement each, so a connect storm costs a
 * few statements a second instead of two per connection, and no connection waits
 * for them. Bookkeeping never fails a connection: a batch the database refuses is
 * logged and its joins are left unrecorded.
 */
export class JoinRecorder {
  private readonly options: Required<JoinRecorderOptions>;
  private joins: PendingJoin[] = [];
  private leaves: PendingLeave[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly writing = new Set<Promise<void>>();

  constructor(options: JoinRecorderOptions) {
    this.options = { maxBatch: 500, windowMs: 50, ...options };
  }

  /** Writes what is gathered now and waits for every write (shutdown, before the database closes). */
  async close(): Promise<void> {
    this.flush();
    await Promise.all(this.writing);
  }

  /** @returns the participant row's id, for `leave`; undefined when it was not recorded. */
  join(join: Join): Promise<string | undefined> {
    return new Promise((resolve) => {
      this.joins.push({ ...join, resolve });
      this.schedule();
    });
  }

  leave(participantId: string, roomId: string): Promise<void> {
    return new Promise((resolve) => {
      this.leaves.push({ participantId, roomId, resolve });
      this.schedule();
    });
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => this.flush(), this.options.windowMs);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.joins.length > 0) this.track(this.writeJoins(this.joins.splice(0, this.options.maxBatch)));
    while (this.leaves.length > 0) this.track(this.writeLeaves(this.leaves.splice(0, this.options.maxBatch)));
  }

  /** Neither write rejects: each settles its own callers. */
  private track(write: Promise<void>): void {
    this.writing.add(write);
    void write.finally(() => this.writing.delete(write));
  }

  private async writeJoins(batch: PendingJoin[]): Promise<void> {
    const { db, users, log } = this.options;
    // Users this process has not written yet, once each (ON CONFLICT may not touch a row twice).
    const newUsers = new Map<string, UserIdentity>();
    for (const join of batch) if (!users.isKnown(join.user.id)) newUsers.set(join.user.id, join.user);
    const clientIds = batch.map((join) => join.clientId.slice(0, 50));
    try {
      // One statement: the users first (the participant rows reference them), the rooms'
      // last_active (rows locked in id order, as the leaves do), and a participant row
      // per join whose room still exists; arrays, so its text is the same for every
      // batch (see arrayParam).
      const recorded = await queryRows<{ id: string; room_id: string; client_id: string }>(
        db,
        sql`WITH j AS (
              SELECT * FROM unnest(${textArray(batch.map((join) => join.roomId))}, ${textArray(batch.map((join) => join.user.id))},
                                   ${textArray(clientIds)}, ${textArray(batch.map((join) => join.role))})
                WITH ORDINALITY AS j(room_id, user_id, client_id, role, n)),
            u AS (INSERT INTO users (id, name, avatar_url)
              SELECT * FROM unnest(${textArray([...newUsers.keys()])}, ${textArray([...newUsers.values()].map((user) => user.name))},
                                   ${textArray([...newUsers.values()].map((user) => user.avatarUrl ?? null))})
              ON CONFLICT (id) DO UPDATE SET name = excluded.name),
            r AS (UPDATE rooms SET last_active = now() WHERE id IN (SELECT id FROM rooms WHERE id IN (SELECT room_id FROM j) ORDER BY id FOR UPDATE) RETURNING id)
            INSERT INTO room_participants (room_id, user_id, client_id, role)
            SELECT j.room_id, j.user_id, j.client_id, j.role FROM j JOIN r ON r.id = j.room_id ORDER BY j.n
            RETURNING id, room_id, client_id`,
      );
      for (const user of newUsers.values()) void users.remember(user);
      const ids = new Map(recorded.map((row) => [`${row.room_id}\0${row.client_id}`, row.id]));
      batch.forEach((join, i) => join.resolve(ids.get(`${join.roomId}\0${clientIds[i]}`)));
    } catch (error) {
      log.warn({ err: error, joins: batch.length }, 'could not record joins');
      for (const join of batch) join.resolve(undefined);
    }
  }

  private async writeLeaves(batch: PendingLeave[]): Promise<void> {
    const { db, log } = this.options;
    const rooms = [...new Set(batch.map((leave) => leave.roomId))];
    try {
      // Two statements, each its own transaction: one holding a participant row while
      // it waits for the room's row deadlocks with deleting that room (which locks the
      // room, then cascades to its participants), and the delete could be the loser.
      await db.execute(
        sql`UPDATE room_participants SET left_at = now() WHERE id = ANY(${arrayParam(
          batch.map((leave) => leave.participantId),
          'uuid',
        )})`,
      );
      // Rooms locked in id order, as the joins' statement does: two batches touching
      // the same rooms wait for each other instead of deadlocking.
      await db.execute(
        sql`UPDATE rooms SET last_active = now()
            WHERE id IN (SELECT id FROM rooms WHERE id = ANY(${textArray(rooms)}) ORDER BY id FOR UPDATE)`,
      );
    } catch (error) {
      log.warn({ err: error, leaves: batch.length }, 'could not record leaves');
    }
    for (const leave of batch) leave.resolve();
  }
}
