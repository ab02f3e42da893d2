import { useEffect, useRef, useState, type FormEvent, type MouseEvent } from 'react';
import { deleteRoom, renameRoom, thumbnailUrl, type OnlineUser, type Room } from '../api/rooms.ts';
import type { GuestSession } from '../api/session.ts';
import { copyBoard } from '../api/versions.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { errorMessage } from '../components/error-message.ts';
import { PreviewImage } from '../components/preview-image.tsx';
import { relativeTime } from '../components/relative-time.ts';
import { navigate } from '../router.ts';
import { deleteLocalCopy } from '../sync/local-copy.ts';

/** What the item is doing besides being shown. */
type Mode = { kind: 'idle' } | { kind: 'renaming'; name: string } | { kind: 'confirming-delete' } | { kind: 'busy' };

/**
 * One board on the start page: its picture, name (a link to it), last activity and who
 * is on it now; anyone can make a copy of it (which opens), the owner can rename it in
 * place and delete it after confirming.
 */
export function BoardItem(props: {
  room: Room;
  online: OnlineUser[] | undefined;
  session: GuestSession;
  now: number;
  onRenamed: (room: Room) => void;
  onDeleted: (roomId: string) => void;
}) {
  const { room, online, session, now, onRenamed, onDeleted } = props;
  const [mode, setMode] = useState<Mode>({ kind: 'idle' });
  const [error, setError] = useState<string | null>(null);
  const nameInput = useRef<HTMLInputElement>(null);
  // The field appears because the user asked to rename: typing goes there at once.
  useEffect(() => {
    if (mode.kind === 'renaming') nameInput.current?.focus();
  }, [mode.kind]);
  const isOwner = room.ownerId === session.user.id;
  const href = `/r/${encodeURIComponent(room.id)}`;

  const open = (event: MouseEvent<HTMLAnchorElement>) => {
    // A plain click stays in the app; a middle or modified click opens a tab as usual.
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    navigate(href);
  };

  const saveName = async (event: FormEvent) => {
    event.preventDefault();
    if (mode.kind !== 'renaming') return;
    const name = mode.name.trim();
    if (!name || name === room.name) return setMode({ kind: 'idle' });
    setMode({ kind: 'busy' });
    setError(null);
    try {
      onRenamed(await renameRoom(session.token, room.id, name));
      setMode({ kind: 'idle' });
    } catch (caught) {
      setError(errorMessage(caught));
      setMode({ kind: 'renaming', name });
    }
  };

  const copy = async () => {
    setMode({ kind: 'busy' });
    setError(null);
    try {
      const created = await copyBoard(session.token, room.id);
      navigate(`/r/${encodeURIComponent(created.id)}`);
    } catch (caught) {
      setError(errorMessage(caught));
      setMode({ kind: 'idle' });
    }
  };

  const remove = async () => {
    setMode({ kind: 'busy' });
    setError(null);
    try {
      await deleteRoom(session.token, room.id);
      // Changes kept in this browser for the board can never be sent now.
      void deleteLocalCopy(session.user.id, room.id);
      onDeleted(room.id);
    } catch (caught) {
      setError(errorMessage(caught));
      setMode({ kind: 'idle' });
    }
  };

  return (
    <li className="scrible-board-item" data-testid="board-item" data-room-id={room.id}>
      <span className="scrible-thumbnail">
        <PreviewImage src={thumbnailUrl(room.id, session.token)} name={room.name} testId="board-thumbnail" />
      </span>
      <div className="scrible-board-details">
        {mode.kind === 'renaming' ? (
          <form className="scrible-rename" onSubmit={saveName}>
            <input
              data-testid="board-rename-input"
              aria-label="Board name"
              value={mode.name}
              maxLength={100}
              ref={nameInput}
              onChange={(event) => setMode({ kind: 'renaming', name: event.target.value })}
              onKeyDown={(event) => {
                if (event.key === 'Escape') setMode({ kind: 'idle' });
              }}
            />
            <button type="submit" className="scrible-button" data-testid="board-rename-save">
              Save
            </button>
          </form>
        ) : (
          <a href={href} onClick={open} className="scrible-board-name" title={room.name} data-testid="board-link">
            {room.name}
          </a>
        )}
        <span className="scrible-board-meta">
          <time dateTime={room.lastActive} title={new Date(room.lastActive).toLocaleString()} data-testid="board-last-active">
            {relativeTime(room.lastActive, now)}
          </time>
          {!isOwner && <span> · shared with you</span>}
        </span>
        {online && online.length > 0 && (
          <span className="scrible-board-online" data-testid="board-online">
            {online.map((user) => user.name).join(', ')} online
          </span>
        )}
        {mode.kind === 'confirming-delete' && (
          <span className="scrible-confirm" role="alert">
            Delete “{room.name}” for everyone?
            <button type="button" className="scrible-button scrible-danger" data-testid="board-delete-confirm" onClick={remove}>
              Delete
            </button>
            <button type="button" className="scrible-button" data-testid="board-delete-cancel" onClick={() => setMode({ kind: 'idle' })}>
              Keep
            </button>
          </span>
        )}
        {mode.kind === 'idle' && (
          <span className="scrible-board-actions">
            <button type="button" className="scrible-button" data-testid="board-copy" title="Make a copy of this board" onClick={copy}>
              Copy
            </button>
            {isOwner && (
              <>
                <button
                  type="button"
                  className="scrible-button"
                  data-testid="board-rename"
                  onClick={() => setMode({ kind: 'renaming', name: room.name })}
                >
                  Rename
                </button>
                <button
                  type="button"
                  className="scrible-button"
                  data-testid="board-delete"
                  onClick={() => setMode({ kind: 'confirming-delete' })}
                >
                  Delete
                </button>
              </>
            )}
          </span>
        )}
        <ErrorAlert error={error} testId="board-error" />
      </div>
    </li>
  );
}
