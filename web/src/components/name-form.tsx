import { useState, type FormEvent } from 'react';
import { createGuestSession, type GuestSession } from '../api/session.ts';
import { errorMessage } from './error-message.ts';
import { TextField } from './text-field.tsx';

/** Asks for a display name and creates a guest session with it. */
export function NameForm(props: { onSession: (session: GuestSession) => void; submitLabel?: string }) {
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      props.onSession(await createGuestSession(name.trim()));
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };

  return (
    <form className="scrible-card" onSubmit={submit}>
      <h1>Scrible</h1>
      <TextField label="Your name" testId="guest-name" value={name} onValue={setName} maxLength={100} required autoFocus />
      <button data-testid="guest-submit" type="submit" disabled={busy || !name.trim()}>
        {props.submitLabel ?? 'Continue'}
      </button>
      {error && (
        <p className="scrible-error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
