import { and, desc, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import { webhookDeliveries, webhooks, type WebhookDeliveryRow, type WebhookRow } from '../db/schema.ts';

/** Event types a webhook may subscribe to (API.md). */
export const WEBHOOK_EVENTS = [
  'room.updated',
  'room.deleted',
  'member.joined',
  'member.left',
  'export.completed',
  'export.failed',
] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** A webhook as the API lists it: never its secret. */
export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  createdAt: string;
}

export interface DeliveryView {
  id: string;
  event: string;
  status: string;
  attempts: number;
  lastStatusCode: number | null;
  nextAttemptAt: string | null;
  deliveredAt: string | null;
}

/** A delivery claimed by this instance for one attempt. */
export interface ClaimedDelivery {
  id: string;
  url: string;
  secret: string;
  body: string;
  attempts: number;
  createdAt: Date;
}

/** A database handle or an open transaction: whatever can run the outbox INSERT. */
export type Executor = Pick<Db, 'execute'>;

const iso = (value: Date | string | null) => (value === null ? null : new Date(value).toISOString());

export function toWebhookView(row: WebhookRow): WebhookView {
  return { id: row.id, url: row.url, events: row.events, createdAt: iso(row.createdAt)! };
}

export function toDeliveryView(row: WebhookDeliveryRow): DeliveryView {
  return {
    id: row.id,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    lastStatusCode: row.lastStatusCode,
    nextAttemptAt: row.status === 'pending' ? iso(row.nextAttemptAt) : null,
    deliveredAt: iso(row.deliveredAt),
  };
}

/** The body of every delivery (Standard Webhooks: `{ type, timestamp, data }`, plus the room). */
export function eventBody(type: WebhookEvent, roomId: string, data: unknown): string {
  return JSON.stringify({ type, timestamp: new Date().toISOString(), data, roomId });
}

/** Webhook subscriptions and their outbox. Methods that write events take the caller's transaction. */
export class WebhookStore {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async create(webhook: { roomId: string; url: string; events: string[]; secret: string }): Promise<WebhookRow> {
    const [row] = await this.db.insert(webhooks).values(webhook).returning();
    return row!;
  }

  list(roomId: string): Promise<WebhookRow[]> {
    return this.db.select().from(webhooks).where(eq(webhooks.roomId, roomId)).orderBy(webhooks.createdAt);
  }

  async get(roomId: string, id: string): Promise<WebhookRow | undefined> {
    const [row] = await this.db
      .select()
      .from(webhooks)
      .where(and(eq(webhooks.roomId, roomId), eq(webhooks.id, id)));
    return row;
  }

  /** Deletes the subscription and what it had not delivered yet. */
  async delete(roomId: string, id: string): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await tx.delete(webhookDeliveries).where(and(eq(webhookDeliveries.webhookId, id), eq(webhookDeliveries.status, 'pending')));
      const gone = await tx
        .delete(webhooks)
        .where(and(eq(webhooks.roomId, roomId), eq(webhooks.id, id)))
        .returning({ id: webhooks.id });
      return gone.length > 0;
    });
  }

  deliveries(webhookId: string, limit = 100): Promise<WebhookDeliveryRow[]> {
    return this.db
      .select()
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.webhookId, webhookId))
      .orderBy(desc(webhookDeliveries.createdAt))
      .limit(limit);
  }

  /** Makes a delivery due now again (a failed one gets a fresh 24 h). @returns false when unknown. */
  async retry(webhookId: string, deliveryId: string): Promise<boolean> {
    const rows = await this.db
      .update(webhookDeliveries)
      .set({ status: 'pending', nextAttemptAt: sql`now()`, lockedUntil: null, createdAt: sql`now()` })
      .where(and(eq(webhookDeliveries.webhookId, webhookId), eq(webhookDeliveries.id, deliveryId)))
      .returning({ id: webhookDeliveries.id });
    return rows.length > 0;
  }

  /**
   * Queues one delivery per subscriber of `type` in the room.
   * @param db - the transaction of the change being reported, where there is one.
   * @returns how many deliveries were queued.
   */
  async enqueue(db: Executor, roomId: string, type: WebhookEvent, data: unknown): Promise<number> {
    const body = eventBody(type, roomId, data);
    const rows = await queryRows<{ id: string }>(
      db as Db,
      sql`INSERT INTO webhook_deliveries (webhook_id, room_id, url, secret, event, body)
          SELECT id, room_id, url, secret, ${type}, ${body} FROM webhooks
          WHERE room_id = ${roomId} AND ${type} = ANY(events)
          RETURNING id`,
    );
    return rows.length;
  }

  /**
   * Queues `room.updated` (data: the newest stored version) for subscribers that had
   * none in the last `debounceMs`, so instances sharing a room send one between them.
   */
  async enqueueRoomUpdated(roomId: string, debounceMs: number): Promise<number> {
    const [latest] = await queryRows<{ version: number | null }>(
      this.db,
      sql`SELECT max(version) AS version FROM room_snapshots WHERE room_id = ${roomId}`,
    );
    const body = eventBody('room.updated', roomId, { version: latest?.version ?? null });
    const rows = await queryRows<{ id: string }>(
      this.db,
      sql`INSERT INTO webhook_deliveries (webhook_id, room_id, url, secret, event, body)
          SELECT w.id, w.room_id, w.url, w.secret, 'room.updated', ${body} FROM webhooks w
          WHERE w.room_id = ${roomId} AND 'room.updated' = ANY(w.events)
            AND NOT EXISTS (
              SELECT 1 FROM webhook_deliveries d
              WHERE d.room_id = w.room_id AND d.event = 'room.updated' AND d.webhook_id = w.id
                AND d.created_at > now() - make_interval(secs => ${debounceMs / 1000}))
          RETURNING id`,
    );
    return rows.length;
  }

  /**
   * Claims up to `limit` due deliveries for one attempt each. `SKIP LOCKED` lets every
   * instance claim at once without waiting on each other; the lease (`locked_until`)
   * keeps a claimed row from being taken again while its attempt runs, and frees it
   * if this instance dies mid-attempt.
   */
  claim(limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
    return queryRows<ClaimedDelivery>(
      this.db,
      sql`UPDATE webhook_deliveries SET attempts = attempts + 1,
            locked_until = now() + make_interval(secs => ${leaseMs / 1000})
          WHERE id IN (
            SELECT id FROM webhook_deliveries
            WHERE status = 'pending' AND next_attempt_at <= now() AND (locked_until IS NULL OR locked_until < now())
            ORDER BY next_attempt_at LIMIT ${limit}
            FOR UPDATE SKIP LOCKED)
          RETURNING id, url, secret, body, attempts, created_at AS "createdAt"`,
    );
  }

  async delivered(id: string, statusCode: number): Promise<void> {
    await this.db
      .update(webhookDeliveries)
      .set({ status: 'delivered', deliveredAt: sql`now()`, lastStatusCode: statusCode, lastError: null, lockedUntil: null })
      .where(eq(webhookDeliveries.id, id));
  }

  /** Records a failed attempt: tried again at `nextAttemptAt`, or given up (`failed`) when that is undefined. */
  async attemptFailed(id: string, result: { statusCode?: number; error?: string }, nextAttemptAt: Date | undefined): Promise<void> {
    await this.db
      .update(webhookDeliveries)
      .set({
        status: nextAttemptAt ? 'pending' : 'failed',
        lastStatusCode: result.statusCode ?? null,
        lastError: result.error?.slice(0, 500) ?? null,
        nextAttemptAt: nextAttemptAt ?? sql`now()`,
        lockedUntil: null,
      })
      .where(eq(webhookDeliveries.id, id));
  }

  /** Seconds the oldest pending delivery has waited (0 when none). */
  async oldestPendingSeconds(): Promise<number> {
    const [row] = await queryRows<{ age: number | string | null }>(
      this.db,
      sql`SELECT extract(epoch FROM now() - min(created_at)) AS age FROM webhook_deliveries WHERE status = 'pending'`,
    );
    return Number(row?.age ?? 0);
  }
}
