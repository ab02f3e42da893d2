import { useState } from 'react';
import { createGuestSession, type GuestSession } from '../api/session.ts';
import { ErrorAlert } from './error-alert.tsx';
import { TextField } from './text-field.tsx';
import { useLeavingSubmit } from './use-leaving-submit.ts';

/** Asks for a display name and creates a guest session with it. */
export function NameForm(props: { onSession: (session: GuestSession) => void; submitLabel?: string }) {
  const [name, setName] = useState('');
  const { busy, error, submit } = useLeavingSubmit(async () => props.onSession(await createGuestSession(name.trim())));

  return (
    <form className="scrible-card" onSubmit={submit}>
      <h1>Scrible</h1>
      <TextField label="Your name" testId="guest-name" value={name} onValue={setName} maxLength={100} required autoFocus />
      <button data-testid="guest-submit" type="submit" disabled={busy || !name.trim()}>
        {props.submitLabel ?? 'Continue'}
      </button>
      <ErrorAlert error={error} />
    </form>
  );
}
