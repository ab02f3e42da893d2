import { isNearSizeLimit } from '../sync/document-size.ts';
import { useBoard } from './board-context.ts';

const MIB = 1024 * 1024;

/**
 * Says that the board is close to the server's size limit, while there is still room:
 * past the limit the server refuses changes (closes the connection), which would
 * otherwise come as a surprise.
 */
export function SizeWarning() {
  const { documentBytes, maxDocumentBytes } = useBoard();
  if (!isNearSizeLimit(documentBytes, maxDocumentBytes)) return null;
  const full = documentBytes >= maxDocumentBytes;
  return (
    <div className="scrible-size-warning" role="status" data-testid="size-warning">
      This board is {full ? 'full' : 'nearly full'}: {(documentBytes / MIB).toFixed(1)} of {formatMiB(maxDocumentBytes)} MiB.{' '}
      {full ? 'New changes are refused.' : 'Past the limit new changes are refused.'} Remove large images or shapes, or go on in a new
      board.
    </div>
  );
}

/** A limit in MiB: whole when it is whole (32), otherwise to one decimal (4.8). */
function formatMiB(bytes: number): string {
  const mib = bytes / MIB;
  return Number.isInteger(mib) ? String(mib) : mib.toFixed(1);
}
