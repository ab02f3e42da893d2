import { getAssetUrlsByImport } from '@tldraw/assets/imports.vite';
import { useMemo, useRef, type ReactNode } from 'react';
import {
  Tldraw,
  computed,
  createTLCurrentUser,
  getUserPreferences,
  setUserPreferences,
  useTldrawUiComponents,
  type Editor,
  type TLComponents,
} from 'tldraw';
import 'tldraw/tldraw.css';
import { useServerLimits } from '../api/limits.ts';
import type { RoomAccess } from '../api/rooms.ts';
import type { GuestSession } from '../api/session.ts';
import type { RoomTokenSource } from '../sync/room-token.ts';
import { useDocumentSize } from '../sync/document-size.ts';
import { useCollaborativeRoom } from '../sync/use-collaborative-room.ts';
import { colorForUser } from '../user-color.ts';
import { createRoomAssetStore } from './asset-store.ts';
import { BoardContext, useBoard, type BoardContextValue } from './board-context.ts';
import { BoardTitle } from './board-title.tsx';
import { ConnectionBadge, connectionLabel } from './connection-badge.tsx';
import { ExportMenu } from './export-menu.tsx';
import { HistoryMenu } from './history-panel.tsx';
import { ShareMenu } from './share-menu.tsx';
import { SizeWarning } from './size-warning.tsx';
import { useRoomName } from './use-room-name.ts';

/**
 * Fonts, icons and translations are bundled into `web/dist/assets` instead of loaded from
 * tldraw's CDN, so the board works on a server without outside internet access.
 */
const ASSET_URLS = getAssetUrlsByImport();

/** tldraw's top-right zone: who is here, the connection, Share (owner), History and Export. */
function BoardControls() {
  const { PeopleMenu } = useTldrawUiComponents();
  const { role } = useBoard();
  return (
    <div className="tlui-share-zone scrible-controls" draggable={false}>
      {PeopleMenu && <PeopleMenu />}
      <ConnectionBadge />
      {role === 'owner' && <ShareMenu />}
      <HistoryMenu />
      <ExportMenu />
    </div>
  );
}

/** tldraw's top-centre zone (empty by default): the board's name, and a warning when it is nearly full. */
function BoardHeader() {
  return (
    <div className="scrible-header" draggable={false}>
      <BoardTitle />
      <SizeWarning />
    </div>
  );
}

const COMPONENTS: TLComponents = { SharePanel: BoardControls, TopPanel: BoardHeader };

/** A joined room: the tldraw editor bound to the room's Y.Doc, plus the board's controls. */
export function Board(props: { roomId: string; session: GuestSession; tokens: RoomTokenSource; role: RoomAccess['role'] }) {
  const { roomId, session, tokens, role } = props;
  const readOnly = role === 'viewer';
  const user = useMemo(() => ({ id: session.user.id, name: session.user.name, color: colorForUser(session.user.id) }), [session]);
  // Until the room's details arrive, asset URLs carry the room token, which works either way.
  const openRoom = useRef(false);
  const roomName = useRoomName(session.token, roomId, (room) => {
    openRoom.current = room.visibility === 'public' && !room.hasPassword;
  });
  // Files go to the room's asset store; the document keeps only their URLs.
  const assets = useMemo(
    () => createRoomAssetStore({ roomId, getToken: tokens.getToken, isOpenRoom: () => openRoom.current }),
    [roomId, tokens],
  );
  const { storeWithStatus, provider, connection } = useCollaborativeRoom({ roomId, user, tokens, readOnly, assets });
  const documentBytes = useDocumentSize(provider?.document ?? null);
  const { maxDocumentBytes, maxAssetBytes } = useServerLimits();

  // The editor must know the server's user id: it hides presence records with the same id
  // (its own) from the collaborator list. Other preferences stay in tldraw's local storage.
  const currentUser = useMemo(
    () =>
      createTLCurrentUser({
        userPreferences: computed('scrible user', () => ({
          ...getUserPreferences(),
          id: user.id,
          name: user.name,
          color: user.color,
        })),
        setUserPreferences,
      }),
    [user],
  );

  const onMount = (editor: Editor) => {
    window.editor = editor;
    // Also set through the store's collaboration mode; this keeps it right from the first frame.
    if (readOnly) editor.updateInstanceState({ isReadonly: true });
    return () => {
      if (window.editor === editor) window.editor = undefined;
    };
  };

  const context: BoardContextValue = {
    roomId,
    roomName: roomName.name,
    roomNameKnown: roomName.known,
    renameBoard: roomName.rename,
    session,
    role,
    connection,
    documentBytes,
    maxDocumentBytes,
  };

  // tldraw would throw a store error into its generic error boundary; say what happened instead.
  if (storeWithStatus.status === 'error') {
    return (
      <BoardMessage title="This board cannot be shown" testId="board-error">
        <p>{storeWithStatus.error.message}</p>
        <button type="submit" onClick={() => location.reload()}>
          Reload
        </button>
      </BoardMessage>
    );
  }
  if (connection.kind === 'denied' && storeWithStatus.status === 'loading') {
    return (
      <BoardMessage title="Cannot open this board" testId="room-error">
        <p>{connectionLabel(connection)}</p>
        <a href="/">Back to the start page</a>
      </BoardMessage>
    );
  }

  return (
    <BoardContext.Provider value={context}>
      <div className="scrible-board">
        <Tldraw
          store={storeWithStatus}
          user={currentUser}
          components={COMPONENTS}
          assetUrls={ASSET_URLS}
          licenseKey={import.meta.env.VITE_TLDRAW_LICENSE_KEY}
          onMount={onMount}
          // The server's upload limit rather than tldraw's own 10 MB, so a file is refused here only when the server would.
          maxAssetSize={maxAssetBytes}
        />
      </div>
    </BoardContext.Provider>
  );
}

function BoardMessage(props: { title: string; testId: string; children: ReactNode }) {
  return (
    <main className="scrible-page">
      <div className="scrible-card" role="alert" data-testid={props.testId}>
        <h1>{props.title}</h1>
        {props.children}
      </div>
    </main>
  );
}
