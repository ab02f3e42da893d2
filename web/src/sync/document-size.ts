import { useEffect, useState } from 'react';
import * as Y from 'yjs';

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

/** Whether a doc of this size should warn: at or above {@link SIZE_WARNING_SHARE} of the server's `MAX_DOCUMENT_BYTES`. */
export function isNearSizeLimit(bytes: number, limit: number): boolean {
  return bytes >= limit * SIZE_WARNING_SHARE;
}
