import { useEffect, useState } from 'react';
import type { GuestSession } from '../api/session.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { BoardItem } from './board-item.tsx';
import { useMyBoards } from './use-my-boards.ts';

/** How often "5 minutes ago" is brought up to date. */
const CLOCK_TICK_MS = 30_000;

/** The boards this identity owns or joined, newest activity first, a page at a time. */
export function MyBoards(props: { session: GuestSession }) {
  const { session } = props;
  const boards = useMyBoards(session);
  const now = useClock(CLOCK_TICK_MS);

  return (
    <section className="scrible-card scrible-boards" data-testid="my-boards" aria-busy={boards.loading}>
      <h2>My boards</h2>
      {boards.rooms.length === 0 && !boards.loading && !boards.error && <p>Boards you make or open appear here.</p>}
      <ul>
        {boards.rooms.map((room) => (
          <BoardItem
            key={room.id}
            room={room}
            online={boards.online[room.id]}
            session={session}
            now={now}
            onRenamed={boards.replace}
            onDeleted={boards.remove}
          />
        ))}
      </ul>
      {boards.loading && <p>Loading…</p>}
      <ErrorAlert error={boards.error} testId="my-boards-error" />
      {boards.hasMore && !boards.loading && (
        <button type="button" className="scrible-button" data-testid="my-boards-more" onClick={boards.loadMore}>
          Show older boards
        </button>
      )}
    </section>
  );
}

/** The current time, renewed every `intervalMs`. */
function useClock(intervalMs: number): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
