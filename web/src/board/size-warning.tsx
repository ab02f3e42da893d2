import { MAX_DOCUMENT_BYTES, isNearSizeLimit } from '../sync/document-size.ts';
import { useBoard } from './board-context.ts';

const MIB = 1024 * 1024;

/**
 * Says that the board is close to the server's size limit, while there is still room:
 * past the limit the server refuses changes (closes the connection), which would
 * otherwise come as a surprise.
 */
export function SizeWarning() {
  const { documentBytes } = useBoard();
  if (!isNearSizeLimit(documentBytes)) return null;
  const full = documentBytes >= MAX_DOCUMENT_BYTES;
  return (
    <div className="scrible-size-warning" role="status" data-testid="size-warning">
      This board is {full ? 'full' : 'nearly full'}: {(documentBytes / MIB).toFixed(1)} of {MAX_DOCUMENT_BYTES / MIB} MiB.{' '}
      {full ? 'New changes are refused.' : 'Past the limit new changes are refused.'} Remove large images or shapes, or go on in a new
      board.
    </div>
  );
}
