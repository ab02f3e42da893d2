import { useState, type FormEvent } from 'react';
import { ErrorAlert } from './error-alert.tsx';

/** Asks for a room's password; `error` is shown after a refused attempt. */
export function PasswordForm(props: { roomId: string; busy: boolean; error: string | null; onSubmit: (password: string) => void }) {
  const [password, setPassword] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    props.onSubmit(password);
  };

  return (
    <form className="scrible-card" onSubmit={submit}>
      <h1>This board is protected</h1>
      <p>Enter the board's password to open it.</p>
      <label>
        Password
        <input
          data-testid="room-password"
          type="password"
          value={password}
          onChange={(event) => setPassword(event.target.value)}
          required
        />
      </label>
      <button data-testid="room-password-submit" type="submit" disabled={props.busy || !password}>
        Open board
      </button>
      <ErrorAlert error={props.error} testId="room-password-error" />
    </form>
  );
}
