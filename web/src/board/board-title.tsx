import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ErrorAlert } from '../components/error-alert.tsx';
import { errorMessage } from '../components/error-message.ts';
import { useBoard } from './board-context.ts';

/**
 * The board's name at the top of the board. The owner clicks it to rename the board in
 * place: Enter saves; Escape or leaving the field keeps the old name (tldraw takes Escape
 * for itself and blurs the field, so leaving cannot mean saving).
 */
export function BoardTitle() {
  const { roomName, roomNameKnown, role, renameBoard } = useBoard();
  const [draft, setDraft] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const input = useRef<HTMLInputElement>(null);

  const editing = draft !== null;
  // Editing starts with the whole name selected, so typing replaces it.
  useEffect(() => {
    if (editing) input.current?.select();
  }, [editing]);

  if (!roomNameKnown) return null;

  const cancel = () => {
    if (busy) return;
    setDraft(null);
    setError(null);
  };

  const save = async (event: FormEvent) => {
    event.preventDefault();
    if (draft === null || busy) return;
    const name = draft.trim();
    if (!name || name === roomName) return setDraft(null);
    setBusy(true);
    setError(null);
    try {
      await renameBoard(name);
      setDraft(null);
    } catch (caught) {
      setError(errorMessage(caught));
    } finally {
      setBusy(false);
    }
  };

  if (draft !== null) {
    return (
      <form className="scrible-title" onSubmit={save}>
        <input
          ref={input}
          data-testid="board-title-input"
          aria-label="Board name"
          value={draft}
          maxLength={100}
          disabled={busy}
          onChange={(event) => setDraft(event.target.value)}
          onBlur={cancel}
          onKeyDown={(event) => {
            if (event.key === 'Escape') cancel();
          }}
        />
        <ErrorAlert error={error} testId="board-title-error" />
      </form>
    );
  }

  if (role !== 'owner') {
    return (
      <div className="scrible-title-text" data-testid="board-title" title={roomName}>
        {roomName}
      </div>
    );
  }
  return (
    <button
      type="button"
      className="scrible-title-text"
      data-testid="board-title"
      title="Rename this board"
      onClick={() => setDraft(roomName)}
    >
      {roomName}
    </button>
  );
}
