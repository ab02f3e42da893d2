import { and, eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { queryRows } from '../db/rows.ts';
import { exportsTable, type ExportRow } from '../db/schema.ts';

/** Export formats, as `POST /api/exports/:roomId` accepts them. */
export const EXPORT_FORMATS = ['json', 'svg', 'png', 'pdf'] as const;
export type ExportFormatName = (typeof EXPORT_FORMATS)[number];

/** States of an export job; `completed` and `failed` are final. */
export const EXPORT_STATUSES = ['pending', 'processing', 'completed', 'failed'] as const;
export type ExportStatus = (typeof EXPORT_STATUSES)[number];

/** What the renderer is asked for, kept in the row's `options`. */
export interface ExportJobOptions {
  pageId?: string;
  background?: boolean;
  scale?: number;
  /** Draw this stored version instead of the live board. */
  version?: number;
}

/** A claimed job: the row as it was when this instance took it. */
export interface ClaimedJob {
  id: string;
  roomId: string;
  format: ExportFormatName;
  options: ExportJobOptions;
  attempts: number;
}

/** An export as the API shows it (API.md). */
export interface ExportView {
  id: string;
  roomId: string;
  format: ExportFormatName;
  status: ExportStatus;
  fileUrl: string | null;
  error: string | null;
  createdAt: string;
  completedAt: string | null;
}

export function toExportView(row: ExportRow): ExportView {
  return {
    id: row.id,
    roomId: row.roomId ?? '',
    format: row.format as ExportFormatName,
    status: row.status as ExportStatus,
    fileUrl: row.fileUrl,
    error: row.errorMessage,
    createdAt: new Date(row.createdAt).toISOString(),
    completedAt: row.completedAt ? new Date(row.completedAt).toISOString() : null,
  };
}

/** Export ids are UUIDs; anything else is an unknown id, not a database error. */
export const EXPORT_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The `exports` table as a job queue. Jobs are claimed with `FOR UPDATE SKIP LOCKED`,
 * so any number of instances can take jobs from it and each claim goes to exactly one.
 * A job's result is only written by the claim that still holds it (same `attempts`),
 * so a slow instance whose job was taken over cannot overwrite the newer outcome.
 */
export class ExportStore {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  async create(job: { roomId: string; format: ExportFormatName; requestedBy: string; options: ExportJobOptions }): Promise<ExportRow> {
    const [row] = await this.db
      .insert(exportsTable)
      .values({ roomId: job.roomId, format: job.format, status: 'pending', requestedBy: job.requestedBy, options: { ...job.options } })
      .returning();
    return row!;
  }

  async get(id: string): Promise<ExportRow | undefined> {
    if (!EXPORT_ID_PATTERN.test(id)) return undefined;
    const [row] = await this.db.select().from(exportsTable).where(eq(exportsTable.id, id)).limit(1);
    return row;
  }

  /**
   * Takes up to `limit` jobs: pending ones, oldest first, and ones left `processing`
   * for longer than `staleAfterMs` by an instance that went away (fewer than
   * `maxAttempts` tries so far).
   */
  async claim(limit: number, staleAfterMs: number, maxAttempts: number): Promise<ClaimedJob[]> {
    if (limit <= 0) return [];
    const rows = await queryRows<{ id: string; room_id: string; format: string; options: unknown; attempts: number }>(
      this.db,
      sql`UPDATE exports SET status = 'processing', started_at = now(), attempts = attempts + 1
          WHERE id IN (
            SELECT id FROM exports
            WHERE status = 'pending'
               OR (status = 'processing' AND started_at < now() - make_interval(secs => ${staleAfterMs / 1000})
                   AND attempts < ${maxAttempts})
            ORDER BY created_at
            LIMIT ${limit}
            FOR UPDATE SKIP LOCKED)
          RETURNING id, room_id, format, options, attempts`,
    );
    return rows.map((r) => ({
      id: r.id,
      roomId: r.room_id,
      format: r.format as ExportFormatName,
      options: (typeof r.options === 'string' ? JSON.parse(r.options) : (r.options ?? {})) as ExportJobOptions,
      attempts: Number(r.attempts),
    }));
  }

  /**
   * Fails jobs that were left `processing` too long and have used up their attempts.
   * @returns their formats, for the metrics.
   */
  async failAbandoned(staleAfterMs: number, maxAttempts: number): Promise<Array<{ id: string; format: string }>> {
    return queryRows(
      this.db,
      sql`UPDATE exports SET status = 'failed', completed_at = now(),
            error_message = ${`Export was interrupted ${maxAttempts} times (the server working on it stopped); giving up`}
          WHERE status = 'processing' AND attempts >= ${maxAttempts}
            AND started_at < now() - make_interval(secs => ${staleAfterMs / 1000})
          RETURNING id, format`,
    );
  }

  /** @returns false when the claim was lost (taken over, or the room was deleted). */
  async complete(job: ClaimedJob, result: { fileKey: string; fileUrl: string }): Promise<boolean> {
    const rows = await this.db
      .update(exportsTable)
      .set({ status: 'completed', fileKey: result.fileKey, fileUrl: result.fileUrl, completedAt: sql`now()`, errorMessage: null })
      .where(this.stillHeld(job))
      .returning({ id: exportsTable.id });
    return rows.length > 0;
  }

  async fail(job: ClaimedJob, message: string): Promise<boolean> {
    const rows = await this.db
      .update(exportsTable)
      .set({ status: 'failed', errorMessage: message.slice(0, 2000), completedAt: sql`now()` })
      .where(this.stillHeld(job))
      .returning({ id: exportsTable.id });
    return rows.length > 0;
  }

  /** Gives a job back (shutdown, or a passing storage failure) so any instance retries it soon. */
  async release(job: ClaimedJob): Promise<void> {
    await this.db.update(exportsTable).set({ status: 'pending', startedAt: null }).where(this.stillHeld(job));
  }

  private stillHeld(job: ClaimedJob) {
    return and(eq(exportsTable.id, job.id), eq(exportsTable.status, 'processing'), eq(exportsTable.attempts, job.attempts));
  }

  /**
   * Deletes up to `limit` finished exports (completed or failed) older than
   * `olderThanMs`, and hands back their file keys so the files go too. Each row is
   * deleted by exactly one caller, however many instances sweep at once.
   */
  async deleteExpired(olderThanMs: number, limit: number): Promise<Array<{ id: string; fileKey: string | null }>> {
    const rows = await queryRows<{ id: string; file_key: string | null }>(
      this.db,
      sql`DELETE FROM exports WHERE id IN (
            SELECT id FROM exports
            WHERE status IN ('completed', 'failed')
              AND coalesce(completed_at, created_at) < now() - make_interval(secs => ${olderThanMs / 1000})
            ORDER BY created_at LIMIT ${limit} FOR UPDATE SKIP LOCKED)
          RETURNING id, file_key`,
    );
    return rows.map((row) => ({ id: row.id, fileKey: row.file_key }));
  }
}
