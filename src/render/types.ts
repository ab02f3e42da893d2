/**
 * Shared types of the board renderer: a board as read from a room or a .tldr file,
 * the export options and the injected logger.
 */
import type { TLRecord } from '@tldraw/tlschema';

/** Any JSON object with a tldraw record's `id` and `typeName`; not yet validated. */
export interface RecordLike {
  id: string;
  typeName: string;
  [key: string]: unknown;
}

/**
 * A board: the serialized tldraw store schema (`{schemaVersion: 2, sequences}`) and the
 * document-scope records. Records are untrusted until {@link validateBoard} has run.
 */
export interface Board {
  schema: unknown;
  records: RecordLike[];
}

/** A board whose records were migrated to the current schema and validated by tlschema. */
export interface ValidBoard {
  schema: unknown;
  records: TLRecord[];
}

/** The logger the renderer reports skipped records to (pino-compatible `warn(obj, msg)`). */
export interface ExportLog {
  warn(obj: Record<string, unknown>, msg: string): void;
}

/** Options of the picture renderers (SVG, PNG, PDF). */
export interface PictureOptions {
  /** Page to draw; the first page by index when absent. */
  pageId?: string;
  /** Paint the theme background (#f9fafb); transparent when false. @default true */
  background?: boolean;
  /** Space around the content bounds, in page units. @default 32 */
  padding?: number;
}
