/**
 * Builds and parses `.tldr` files: `{ tldrawFileFormatVersion: 1, schema, records }`, the
 * format tldraw's "Save" writes and "Open" reads (MIME application/vnd.tldraw+json).
 */
import type { Board, ValidBoard } from './types.ts';

/** The .tldr format version tldraw 5 writes and accepts. */
export const TLDR_FILE_FORMAT_VERSION = 1;

/** A .tldr file's JSON. */
export interface TldrFile {
  tldrawFileFormatVersion: number;
  schema: unknown;
  records: unknown[];
}

/**
 * The .tldr JSON for a validated board. Only document records are written: tldraw adds the
 * session records (instance, camera, page state) it needs when it opens the file.
 * @example const json = JSON.stringify(toTldrFile(board))
 */
export function toTldrFile(board: ValidBoard): TldrFile {
  return { tldrawFileFormatVersion: TLDR_FILE_FORMAT_VERSION, schema: board.schema, records: board.records };
}

/**
 * Reads a .tldr file's text into a board (records not yet validated).
 * @throws Error when the text is not JSON, not a .tldr file, or from a newer format version
 */
export function parseTldrFile(text: string): Board {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error('Not a .tldr file: the content is not JSON');
  }
  const file = json as Partial<TldrFile> | null;
  if (!file || typeof file !== 'object' || typeof file.tldrawFileFormatVersion !== 'number' || !Array.isArray(file.records)) {
    throw new Error('Not a .tldr file: expected { tldrawFileFormatVersion, schema, records }');
  }
  if (file.tldrawFileFormatVersion > TLDR_FILE_FORMAT_VERSION) {
    throw new Error(`Unsupported .tldr format version ${file.tldrawFileFormatVersion} (newest known: ${TLDR_FILE_FORMAT_VERSION})`);
  }
  return { schema: file.schema, records: file.records as Board['records'] };
}
