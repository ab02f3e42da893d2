import { useState, type FormEvent } from 'react';
import { errorMessage } from './error-message.ts';

/**
 * The submit handler of a form whose success leaves it (a session is made, a board
 * opens): busy from the submit on, so it cannot be sent twice; on failure, not busy
 * again and `error` says why.
 *
 * @param action - what submitting does; a throw is shown as `error`.
 * @returns `submit` for the form's onSubmit, and the state to render.
 */
export function useLeavingSubmit(action: () => Promise<void>) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (caught) {
      setError(errorMessage(caught));
      setBusy(false);
    }
  };

  return { busy, error, submit };
}
