import { useState } from 'react';
import { createInvite, type Invite } from '../api/rooms.ts';
import { ErrorAlert } from '../components/error-alert.tsx';
import { errorMessage } from '../components/error-message.ts';
import { useBoard } from './board-context.ts';

const ROLES: Array<{ role: Invite['role']; label: string }> = [
  { role: 'editor', label: 'Can edit' },
  { role: 'viewer', label: 'Can view' },
];

/** Owner only: creates invite links for editors and viewers and shows them for copying. */
export function ShareMenu() {
  const { roomId, session } = useBoard();
  const [open, setOpen] = useState(false);
  const [invites, setInvites] = useState<Partial<Record<Invite['role'], Invite>>>({});
  const [error, setError] = useState<string | null>(null);

  const invite = async (role: Invite['role']) => {
    setError(null);
    try {
      const created = await createInvite(session.token, roomId, role);
      setInvites((current) => ({ ...current, [role]: created }));
    } catch (caught) {
      setError(errorMessage(caught));
    }
  };

  return (
    <div className="scrible-menu">
      <button type="button" data-testid="share" className="scrible-button scrible-primary" onClick={() => setOpen(!open)}>
        Share
      </button>
      {open && (
        <div className="scrible-popover" data-testid="share-panel">
          {ROLES.map(({ role, label }) => (
            <div key={role} className="scrible-invite">
              <button type="button" data-testid={`invite-${role}`} className="scrible-button" onClick={() => invite(role)}>
                {label}: create link
              </button>
              {invites[role] && (
                <span className="scrible-invite-url">
                  <input data-testid={`invite-url-${role}`} readOnly value={invites[role].url} onFocus={(event) => event.target.select()} />
                  <button type="button" className="scrible-button" onClick={() => void navigator.clipboard?.writeText(invites[role]!.url)}>
                    Copy
                  </button>
                </span>
              )}
            </div>
          ))}
          <ErrorAlert error={error} />
        </div>
      )}
    </div>
  );
}
