import { useEffect, useState } from 'react';
import * as Y from 'yjs';

/**
 * The server's `MAX_DOCUMENT_BYTES` default (32 MiB). The API does not tell the configured
 * value, so a server set lower or higher is not known here.
 */
export const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;

/** From this share of the limit on, the board warns before the server starts refusing. */
export const SIZE_WARNING_SHARE = 0.8;

/**
 * Encoding the whole doc costs time on a big board, so it is measured at most this often,
 * a while after changes rather than on each one.
 */
const MEASURE_INTERVAL_MS = 5_000;

/**
 * The encoded size of the doc (what the server measures against its limit), measured
 * when the doc is first seen and then at most every {@link MEASURE_INTERVAL_MS} while it
 * changes. 0 without a doc.
 */
export function useDocumentSize(doc: Y.Doc | null): number {
  const [bytes, setBytes] = useState(0);
  useEffect(() => {
    if (!doc) return;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let measuredAt = 0;
    const measure = () => {
      timer = null;
      measuredAt = performance.now();
      setBytes(Y.encodeStateAsUpdate(doc).byteLength);
    };
    const onUpdate = () => {
      timer ??= setTimeout(measure, Math.max(0, measuredAt + MEASURE_INTERVAL_MS - performance.now()));
    };
    measure();
    doc.on('update', onUpdate);
    return () => {
      doc.off('update', onUpdate);
      if (timer !== null) clearTimeout(timer);
      setBytes(0);
    };
  }, [doc]);
  return bytes;
}

/** Whether a doc of this size should warn: at or above {@link SIZE_WARNING_SHARE} of the limit. */
export function isNearSizeLimit(bytes: number, limit = MAX_DOCUMENT_BYTES): boolean {
  return bytes >= limit * SIZE_WARNING_SHARE;
}
