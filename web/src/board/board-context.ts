import { createContext, useContext } from 'react';
import type { RoomAccess } from '../api/rooms.ts';
import type { GuestSession } from '../api/session.ts';
import type { ConnectionState } from '../sync/connection-state.ts';

/**
 * What the controls drawn inside tldraw's UI need. tldraw wants its `components` to be
 * stable, so live values reach them through this context instead of props.
 */
export interface BoardContextValue {
  roomId: string;
  /** The room's name; its id until the server has told it. */
  roomName: string;
  roomNameKnown: boolean;
  /** Owner only: renames the room (PATCH); throws what the API answered. */
  renameBoard: (name: string) => Promise<void>;
  session: GuestSession;
  role: RoomAccess['role'];
  connection: ConnectionState;
  /** The encoded size of the board's doc, measured now and then (0 until known). */
  documentBytes: number;
  /** The server's MAX_DOCUMENT_BYTES (its default until `GET /api/limits` answers). */
  maxDocumentBytes: number;
}

export const BoardContext = createContext<BoardContextValue | null>(null);

/** The board's context; only valid inside {@link BoardContext}'s provider. */
export function useBoard(): BoardContextValue {
  const value = useContext(BoardContext);
  if (!value) throw new Error('useBoard() outside a board');
  return value;
}
