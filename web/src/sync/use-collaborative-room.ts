import { HocuspocusProvider } from '@hocuspocus/provider';
import { useEffect, useState } from 'react';
import {
  UserRecordType,
  atom,
  createTLStore,
  createUserId,
  defaultBindingUtils,
  defaultShapeUtils,
  type TLAssetStore,
  type TLStoreWithStatus,
} from 'tldraw';
import * as Y from 'yjs';
import { bindAwarenessPresence, type PresenceUser } from './awareness-presence.ts';
import { followBrowserOnline } from './browser-online.ts';
import { watchConnectionState, type ConnectionState } from './connection-state.ts';
import { openLocalCopy } from './local-copy.ts';
import { openRoomDocument } from './room-document.ts';
import type { RoomTokenSource } from './room-token.ts';
import { YjsStoreBinding, type LoadFailure } from './yjs-store-binding.ts';

/**
 * Batch window for outgoing updates. Dragging a shape changes the doc and the cursor every
 * frame; merging them per 50 ms keeps a client far below the server's 100 messages/s limit
 * and well inside the one-second latency other users should see.
 */
const FLUSH_DELAY_MS = 50;

/** How often a refused token is refreshed and retried before giving up. */
const MAX_TOKEN_RETRIES = 2;

/** Options for {@link useCollaborativeRoom}. */
export interface CollaborativeRoomOptions {
  roomId: string;
  user: PresenceUser;
  tokens: RoomTokenSource;
  /** Viewer: tldraw is read-only and nothing is written to the doc. */
  readOnly: boolean;
  /** Where dropped and pasted files go (instead of `data:` URLs inside the doc). */
  assets: TLAssetStore;
}

/** What the board needs to render. */
export interface CollaborativeRoom {
  /** Pass to `<Tldraw store={…}>`; it shows a loading screen until the first sync. */
  storeWithStatus: TLStoreWithStatus;
  provider: HocuspocusProvider | null;
  connection: ConnectionState;
}

const INITIAL_CONNECTION: ConnectionState = { kind: 'connecting', online: false, unsyncedChanges: 0, keptLocally: false };

/** Messages for boards that cannot be loaded. */
const LOAD_FAILURES: Record<LoadFailure, string> = {
  'schema-too-new': 'This board was saved by a newer version of Scrible. Please reload the page.',
  'migration-failed': 'This board could not be upgraded to the current format.',
};

/**
 * Connects a tldraw store to a room: one Y.Doc (kept in IndexedDB too, for editors), one
 * HocuspocusProvider on `/collab/<roomId>`, the record binding and awareness presence.
 * Everything is created when the room or user changes and torn down on unmount.
 */
export function useCollaborativeRoom(options: CollaborativeRoomOptions): CollaborativeRoom {
  const { roomId, user, tokens, readOnly, assets } = options;
  const [storeWithStatus, setStoreWithStatus] = useState<TLStoreWithStatus>({ status: 'loading' });
  const [provider, setProvider] = useState<HocuspocusProvider | null>(null);
  const [connection, setConnection] = useState<ConnectionState>(INITIAL_CONNECTION);

  useEffect(() => {
    const $mode = atom<'readonly' | 'readwrite'>('mode', readOnly ? 'readonly' : 'readwrite');
    const $status = atom<'online' | 'offline'>('status', 'offline');
    const $user = atom(
      'user',
      UserRecordType.create({
        id: createUserId(user.id),
        name: user.name,
        color: user.color,
      }),
    );
    const store = createTLStore({
      shapeUtils: defaultShapeUtils,
      bindingUtils: defaultBindingUtils,
      users: { currentUser: $user },
      assets,
      // tldraw turns `mode` into the editor's isReadonly and `status` into its offline UI.
      collaboration: { status: $status, mode: $mode },
    });

    const doc = new Y.Doc();
    const room = openRoomDocument(doc, roomId);
    // Viewers write nothing, so they have nothing of their own to keep.
    const local = readOnly ? null : openLocalCopy(doc, user.id, roomId);

    let failed = false;
    const fail = (message: string) => {
      failed = true;
      setStoreWithStatus({ status: 'error', error: new Error(message) });
    };
    const binding = new YjsStoreBinding({
      store,
      room,
      canWrite: () => $mode.get() === 'readwrite',
      onSchemaTooNew: () => fail(LOAD_FAILURES['schema-too-new']),
    });
    let stopPresence: (() => void) | null = null;
    let disposed = false;
    let disconnect: (() => void) | null = null;

    // Connects once the local copy is in the doc: the handshake then sends what the server
    // lacks of it, the provider counts that as unsynced until acknowledged, and the binding
    // loads the merged board after the first sync as before.
    const connect = (keptLocally: boolean) => {
      if (disposed) return;
      const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
      const provider = new HocuspocusProvider({
        url: `${scheme}://${location.host}/collab/${encodeURIComponent(roomId)}`,
        name: roomId,
        document: doc,
        token: tokens.getToken,
        flushDelay: FLUSH_DELAY_MS,
      });

      const onFirstSync = () => {
        if (stopPresence || failed) return;
        const failure = binding.load();
        if (failure) return fail(LOAD_FAILURES[failure]);
        stopPresence = bindAwarenessPresence({ store, awareness: provider.awareness!, $user, user });
        setStoreWithStatus({ status: 'synced-remote', connectionStatus: $status.get(), store });
      };
      provider.on('synced', onFirstSync);

      let tokenRetries = 0;
      provider.on('authenticated', ({ scope }: { scope: string }) => {
        tokenRetries = 0;
        // The server's word wins over the role /join reported (roles can change).
        if (scope === 'readonly') $mode.set('readonly');
      });
      provider.on('authenticationFailed', ({ reason }: { reason: string }) => {
        // The room was deleted: what is kept for it can never be sent.
        if (reason === 'room-not-found') void local?.clear();
        // An expired or rotated token is worth a fresh /join, and so is `permission-denied`:
        // the owner changed the room's access (its tokens' epoch), and /join says whether
        // this user still has any. Anything else is final.
        const retryable = reason === 'token-expired' || reason === 'invalid-token' || reason === 'permission-denied';
        if (retryable && tokenRetries < MAX_TOKEN_RETRIES) {
          tokenRetries++;
          tokens.invalidate();
          void provider.sendToken().then(() => provider.startSync());
        }
      });

      const stopWatching = watchConnectionState(provider, (state) => {
        setConnection({ ...state, keptLocally });
        const status: 'online' | 'offline' = state.online ? 'online' : 'offline';
        if ($status.get() === status) return;
        $status.set(status);
        setStoreWithStatus((current) => (current.status === 'synced-remote' ? { ...current, connectionStatus: status } : current));
      });
      const stopFollowing = followBrowserOnline(provider);

      setProvider(provider);
      window.provider = provider;
      disconnect = () => {
        stopFollowing();
        stopWatching();
        stopPresence?.();
        provider.destroy();
        if (window.provider === provider) window.provider = undefined;
      };
    };
    if (local) void local.loaded.then(connect);
    else connect(false);

    return () => {
      disposed = true;
      disconnect?.();
      binding.dispose();
      local?.destroy();
      doc.destroy();
      setStoreWithStatus({ status: 'loading' });
      setProvider(null);
    };
  }, [roomId, user.id, user.name, user.color, tokens, readOnly, assets]);

  return { storeWithStatus, provider, connection };
}
