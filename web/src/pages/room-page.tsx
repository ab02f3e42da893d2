import { useEffect, useMemo, useState } from 'react';
import { ApiError } from '../api/http.ts';
import { joinRoom, type JoinCredentials, type RoomAccess } from '../api/rooms.ts';
import { clearSession, loadSession, type GuestSession } from '../api/session.ts';
import { Board } from '../board/board.tsx';
import { errorMessage } from '../components/error-message.ts';
import { NameForm } from '../components/name-form.tsx';
import { PasswordForm } from '../components/password-form.tsx';
import { deleteLocalCopy } from '../sync/local-copy.ts';
import { RoomTokenSource } from '../sync/room-token.ts';

/** Where opening a room stands. */
type JoinState =
  | { step: 'joining' }
  | { step: 'password'; error: string | null; busy: boolean }
  | { step: 'failed'; message: string }
  | { step: 'joined'; tokens: RoomTokenSource; role: RoomAccess['role'] };

/**
 * Opens `/r/<roomId>`: a name first if this browser has no guest identity, then `/join`
 * (with the `#invite=` token if any, and a password if the room asks for one), then the board.
 */
export function RoomPage(props: { roomId: string; invite: string | null }) {
  const [session, setSession] = useState<GuestSession | null>(loadSession);
  if (!session) {
    return (
      <main className="scrible-page">
        <NameForm onSession={setSession} submitLabel="Join board" />
      </main>
    );
  }
  return <JoinedRoom {...props} session={session} onSessionRejected={() => setSession(null)} />;
}

function JoinedRoom(props: { roomId: string; invite: string | null; session: GuestSession; onSessionRejected: () => void }) {
  const { roomId, invite, session, onSessionRejected } = props;
  const [state, setState] = useState<JoinState>({ step: 'joining' });

  const attempt = useMemo(
    () => async (credentials: JoinCredentials) => {
      try {
        const access = await joinRoom(session.token, roomId, credentials);
        // Refreshing the room token later repeats this call with the same credentials.
        const tokens = new RoomTokenSource(access, () => joinRoom(session.token, roomId, credentials));
        setState({ step: 'joined', tokens, role: access.role });
      } catch (error) {
        // The board was deleted: anything kept for it in this browser can never be sent.
        if (error instanceof ApiError && error.status === 404) void deleteLocalCopy(session.user.id, roomId);
        setState(joinFailure(error, credentials, onSessionRejected));
      }
    },
    [roomId, session, onSessionRejected],
  );

  useEffect(() => {
    setState({ step: 'joining' });
    void attempt(invite ? { invite } : {});
  }, [attempt, invite]);

  switch (state.step) {
    case 'joining':
      return (
        <main className="scrible-page">
          <p className="scrible-card">Opening the board…</p>
        </main>
      );
    case 'password':
      return (
        <main className="scrible-page">
          <PasswordForm
            roomId={roomId}
            busy={state.busy}
            error={state.error}
            onSubmit={(password) => {
              setState({ ...state, busy: true });
              void attempt({ password, ...(invite ? { invite } : {}) });
            }}
          />
        </main>
      );
    case 'failed':
      return (
        <main className="scrible-page">
          <div className="scrible-card" role="alert" data-testid="room-error">
            <h1>Cannot open this board</h1>
            <p>{state.message}</p>
            <a href="/">Back to the start page</a>
          </div>
        </main>
      );
    case 'joined':
      return <Board roomId={roomId} session={session} tokens={state.tokens} role={state.role} />;
  }
}

/**
 * Turns a refused `/join` into the next step, by the API's error code: `password-required`
 * and `wrong-password` ask (again) for the password, 401 means the guest token is no longer
 * accepted (ask for a name again), `permission-denied` and `invalid-invite` are final.
 */
function joinFailure(error: unknown, credentials: JoinCredentials, onSessionRejected: () => void): JoinState {
  if (error instanceof ApiError) {
    if (error.status === 401) {
      clearSession();
      onSessionRejected();
      return { step: 'joining' };
    }
    if (error.code === 'password-required' || error.code === 'wrong-password') {
      const wrong = error.code === 'wrong-password' || credentials.password !== undefined;
      return { step: 'password', busy: false, error: wrong ? 'Wrong password. Try again.' : null };
    }
    if (error.status === 429 && credentials.password !== undefined) {
      return { step: 'password', busy: false, error: 'Too many attempts. Wait a few minutes and try again.' };
    }
    if (error.code === 'invalid-invite') {
      return { step: 'failed', message: 'This invite link is not valid (any more). Ask for a new one.' };
    }
    if (error.status === 403) {
      return { step: 'failed', message: 'This board is private. Ask its owner for an invite link.' };
    }
    if (error.status === 404) return { step: 'failed', message: 'This board does not exist (any more).' };
  }
  return { step: 'failed', message: errorMessage(error) };
}
