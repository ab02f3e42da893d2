import { useCallback, useEffect, useRef, useState } from 'react';
import { getRoom, listRooms, type OnlineUser, type Room } from '../api/rooms.ts';
import type { GuestSession } from '../api/session.ts';
import { errorMessage } from '../components/error-message.ts';

/**
 * Rooms per page. Each page costs one list request plus one details request per room
 * (the list has no `online`), so a page is kept to what fits on a screen.
 */
export const BOARDS_PAGE_SIZE = 12;

/** The boards list as the start page shows it. */
export interface MyBoards {
  rooms: Room[];
  /** Who is connected, by room id; absent until known (or when it could not be read). */
  online: Record<string, OnlineUser[]>;
  /** True while a page is being fetched. */
  loading: boolean;
  /** A last page shorter than a full one means there is nothing older. */
  hasMore: boolean;
  error: string | null;
  loadMore: () => void;
  /** Puts a changed room (a rename) in place of the old one. */
  replace: (room: Room) => void;
  /** Takes a deleted room off the list. */
  remove: (roomId: string) => void;
}

/**
 * Pages through `GET /api/rooms` (newest activity first, `before` the last room's
 * `lastActive`) and reads who is online in each listed room. The online lists are read
 * again when the tab becomes visible, not on a timer, so an idle start page costs nothing.
 */
export function useMyBoards(session: GuestSession): MyBoards {
  const [rooms, setRooms] = useState<Room[]>([]);
  const [online, setOnline] = useState<Record<string, OnlineUser[]>>({});
  const [loading, setLoading] = useState(true);
  const [hasMore, setHasMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const roomsRef = useRef(rooms);
  roomsRef.current = rooms;
  // Aborted when the page leaves or the identity changes, so late answers are dropped.
  const lifetime = useRef<AbortController | null>(null);

  const readOnline = useCallback(
    (ids: string[]) => {
      const signal = lifetime.current?.signal;
      for (const id of ids) {
        getRoom(session.token, id, signal)
          .then((room) => setOnline((current) => ({ ...current, [id]: room.online })))
          .catch(() => {
            // Only a detail: the board is listed without it.
          });
      }
    },
    [session.token],
  );

  const fetchPage = useCallback(
    async (before: string | undefined) => {
      const signal = lifetime.current?.signal;
      setLoading(true);
      setError(null);
      try {
        const page = await listRooms(session.token, { limit: BOARDS_PAGE_SIZE, ...(before ? { before } : {}) }, signal);
        if (signal?.aborted) return;
        // A room that became active while paging moves up and may come again: keep it once.
        setRooms((current) => {
          const known = new Set(current.map((room) => room.id));
          return [...current, ...page.filter((room) => !known.has(room.id))];
        });
        // A page can hold more than asked: rooms sharing the last one's moment come with it.
        setHasMore(page.length >= BOARDS_PAGE_SIZE);
        readOnline(page.map((room) => room.id));
      } catch (caught) {
        if (!signal?.aborted) setError(errorMessage(caught));
      } finally {
        if (!signal?.aborted) setLoading(false);
      }
    },
    [session.token, readOnline],
  );

  useEffect(() => {
    const controller = new AbortController();
    lifetime.current = controller;
    setRooms([]);
    setOnline({});
    void fetchPage(undefined);
    const onVisible = () => {
      if (document.visibilityState === 'visible') readOnline(roomsRef.current.map((room) => room.id));
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      controller.abort();
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [fetchPage, readOnline]);

  const loadMore = useCallback(() => {
    const last = roomsRef.current.at(-1);
    if (last) void fetchPage(last.lastActive);
  }, [fetchPage]);

  const replace = useCallback((room: Room) => {
    setRooms((current) => current.map((existing) => (existing.id === room.id ? room : existing)));
  }, []);

  const remove = useCallback((roomId: string) => {
    setRooms((current) => current.filter((room) => room.id !== roomId));
  }, []);

  return { rooms, online, loading, hasMore, error, loadMore, replace, remove };
}
