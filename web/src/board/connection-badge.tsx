import type { ConnectionState } from '../sync/connection-state.ts';
import { useBoard } from './board-context.ts';

/** Reasons the server gives when it refuses a connection (API.md), in words. */
const DENIED: Record<string, string> = {
  'permission-denied': 'No access',
  'room-not-found': 'Board deleted',
  'token-expired': 'Session expired',
  'invalid-token': 'Session invalid',
};

/** The label for a connection state; local edits are never lost while offline. */
export function connectionLabel(state: ConnectionState): string {
  switch (state.kind) {
    case 'connecting':
      return 'Connecting…';
    case 'offline':
      return 'Offline';
    case 'unsynced':
      return state.online ? `Saving ${changes(state.unsyncedChanges)}…` : `Offline · ${changes(state.unsyncedChanges)} kept`;
    case 'synced':
      return 'Synced';
    case 'denied':
      return DENIED[state.reason ?? ''] ?? 'Disconnected';
  }
}

/** "1 change", "3 changes"; "changes" while the provider has not counted them yet. */
function changes(count: number): string {
  if (count <= 0) return 'changes';
  return count === 1 ? '1 change' : `${count} changes`;
}

/** How many changes wait, and where they are kept meanwhile. */
function waitingTitle(state: ConnectionState): string {
  const waiting = `${changes(state.unsyncedChanges)} waiting for the server`;
  return state.keptLocally ? `${waiting}; kept in this browser until it has them, also if the tab closes` : waiting;
}

/** Shows whether the board is connected and whether local changes have reached the server. */
export function ConnectionBadge() {
  const { connection, role } = useBoard();
  return (
    <span className="scrible-badges">
      {role === 'viewer' && (
        <span className="scrible-badge" data-testid="view-only">
          View only
        </span>
      )}
      <span
        className="scrible-badge"
        data-testid="connection-status"
        data-state={connection.kind}
        data-unsynced={connection.unsyncedChanges}
        title={waitingTitle(connection)}
      >
        {connectionLabel(connection)}
      </span>
    </span>
  );
}
