import { useState } from 'react';
import { ApiError } from '../api/http.ts';
import { createRoom, type Room } from '../api/rooms.ts';
import { clearSession, createGuestSession, loadSession } from '../api/session.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { TextField } from '../components/text-field.tsx';
import { useLeavingSubmit } from '../components/use-leaving-submit.ts';
import { navigate } from '../router.ts';
import { MyBoards } from './my-boards.tsx';

/**
 * The start page: a name (which creates the guest identity on first use) and the settings
 * of a new board; creating the board opens it. Beside it, once this browser has an
 * identity, the boards it made or joined.
 */
export function StartPage() {
  const [session] = useState(loadSession);
  const [name, setName] = useState(() => session?.user.name ?? '');
  const [roomName, setRoomName] = useState('Untitled board');
  const [visibility, setVisibility] = useState<Room['visibility']>('public');
  const [password, setPassword] = useState('');
  const { busy, error, submit } = useLeavingSubmit(async () => {
    const room = await createRoomAsGuest(name.trim(), {
      name: roomName.trim() || 'Untitled board',
      visibility,
      ...(password ? { password } : {}),
    });
    navigate(`/r/${encodeURIComponent(room.id)}`);
  });

  return (
    <main className="scrible-page scrible-start">
      <form className="scrible-card" onSubmit={submit}>
        <h1>Scrible</h1>
        <p>Draw together in real time.</p>
        <TextField label="Your name" testId="guest-name" value={name} onValue={setName} maxLength={100} required autoFocus />
        <TextField label="Board name" testId="room-name" value={roomName} onValue={setRoomName} maxLength={100} />
        <label>
          Who can open it
          <select data-testid="visibility" value={visibility} onChange={(event) => setVisibility(event.target.value as Room['visibility'])}>
            <option value="public">Anyone with the link</option>
            <option value="private">Only people I invite</option>
          </select>
        </label>
        <TextField
          label="Password (optional)"
          testId="new-room-password"
          type="password"
          value={password}
          onValue={setPassword}
          autoComplete="new-password"
        />
        <button data-testid="create-room" type="submit" disabled={busy || !name.trim()}>
          New board
        </button>
        <ErrorAlert error={error} />
      </form>
      {session && <MyBoards session={session} />}
    </main>
  );
}

/**
 * Creates the room with the stored guest identity, or a new one when there is none, the name
 * changed, or the server no longer accepts the stored token (a reset database, say).
 */
async function createRoomAsGuest(name: string, input: Parameters<typeof createRoom>[1]): Promise<Room> {
  let session = loadSession();
  if (session && session.user.name === name) {
    try {
      return await createRoom(session.token, input);
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) throw error;
      clearSession();
    }
  }
  session = await createGuestSession(name);
  return await createRoom(session.token, input);
}
