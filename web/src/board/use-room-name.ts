import { useCallback, useEffect, useRef, useState } from 'react';
import { getRoom, renameRoom, type Room } from '../api/rooms.ts';

/** What the tab is called while no board is open, as in index.html. */
const APP_TITLE = 'Scrible';

/** The board's name and the owner's way to change it. */
export interface RoomName {
  /** The room's name; its id until the name is known (export file names need something). */
  name: string;
  /** False until the server has told the name. */
  known: boolean;
  /** Owner only: renames the room on the server, then here. Throws what the API answered. */
  rename: (name: string) => Promise<void>;
}

/**
 * Reads the room's name once, keeps the tab title (`document.title`) in step with it.
 * `onRoom` hears the room's details too (the asset store needs to know an open room).
 */
export function useRoomName(token: string, roomId: string, onRoom?: (room: Room) => void): RoomName {
  const [state, setState] = useState({ name: roomId, known: false });
  const listener = useRef(onRoom);
  listener.current = onRoom;

  useEffect(() => {
    let cancelled = false;
    setState({ name: roomId, known: false });
    getRoom(token, roomId)
      .then((room) => {
        if (cancelled) return;
        listener.current?.(room);
        setState({ name: room.name, known: true });
      })
      .catch(() => {
        // Only cosmetic: the board works without its name.
      });
    return () => {
      cancelled = true;
    };
  }, [token, roomId]);

  useEffect(() => {
    if (!state.known) return;
    document.title = `${state.name} · ${APP_TITLE}`;
    return () => {
      document.title = APP_TITLE;
    };
  }, [state]);

  const rename = useCallback(
    async (name: string) => {
      const room = await renameRoom(token, roomId, name);
      setState({ name: room.name, known: true });
    },
    [token, roomId],
  );

  return { ...state, rename };
}
