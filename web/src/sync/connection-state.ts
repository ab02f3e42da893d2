import type { HocuspocusProvider } from '@hocuspocus/provider';

/**
 * What the board tells the user about its connection:
 * - `connecting`: no first sync yet (the board is not shown before it),
 * - `offline`: the socket is down and there is nothing local waiting,
 * - `unsynced`: local edits the server has not acknowledged yet; they are kept in the
 *   Y.Doc (and its IndexedDB copy, which outlives the tab) and sent on reconnect, so the
 *   badge says "changes kept" while offline,
 * - `synced`: connected and everything acknowledged,
 * - `denied`: the server refused the token or the room (see `reason`).
 */
export interface ConnectionState {
  kind: 'connecting' | 'offline' | 'unsynced' | 'synced' | 'denied';
  /** True while the WebSocket is open. */
  online: boolean;
  /** The provider's count of unacknowledged updates. */
  unsyncedChanges: number;
  /**
   * The doc is also kept in this browser's IndexedDB, so unacknowledged changes outlive
   * the tab and are sent when the board next opens.
   */
  keptLocally?: boolean;
  /** Authentication failure reason from the server, e.g. `room-not-found`. */
  reason?: string;
}

/**
 * Follows the provider's `status`, `synced`, `unsyncedChanges` and `authenticationFailed`
 * events and reports a {@link ConnectionState} on every change.
 * @returns a function that stops listening
 */
export function watchConnectionState(provider: HocuspocusProvider, onChange: (state: ConnectionState) => void): () => void {
  let online = false;
  let everSynced = provider.isSynced;
  let deniedReason: string | undefined;

  const report = () => {
    const unsyncedChanges = provider.unsyncedChanges;
    let kind: ConnectionState['kind'];
    if (deniedReason) kind = 'denied';
    // The board is only shown after the first sync, so nothing can be pending before it.
    else if (!everSynced) kind = 'connecting';
    else if (provider.hasUnsyncedChanges) kind = 'unsynced';
    else kind = online ? 'synced' : 'offline';
    onChange({ kind, online, unsyncedChanges, reason: deniedReason });
  };

  const onStatus = ({ status }: { status: string }) => {
    online = status === 'connected';
    report();
  };
  const onSynced = ({ state }: { state: boolean }) => {
    if (state) {
      everSynced = true;
      deniedReason = undefined;
    }
    report();
  };
  const onAuthenticated = () => {
    deniedReason = undefined;
    report();
  };
  const onDenied = ({ reason }: { reason: string }) => {
    deniedReason = reason;
    report();
  };

  provider.on('status', onStatus);
  provider.on('synced', onSynced);
  provider.on('unsyncedChanges', report);
  provider.on('authenticated', onAuthenticated);
  provider.on('authenticationFailed', onDenied);
  report();
  return () => {
    provider.off('status', onStatus);
    provider.off('synced', onSynced);
    provider.off('unsyncedChanges', report);
    provider.off('authenticated', onAuthenticated);
    provider.off('authenticationFailed', onDenied);
  };
}
