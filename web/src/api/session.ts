import { apiRequest } from './http.ts';
import { isJwtExpiring } from './jwt.ts';

/** A guest identity from `POST /api/auth/guest`, kept across reloads. */
export interface GuestSession {
  token: string;
  user: { id: string; name: string };
}

const STORAGE_KEY = 'scrible.session';

/**
 * The stored guest session, or null when there is none or its token has expired
 * (an expired token would only earn 401s, so the user is asked for a name again).
 */
export function loadSession(): GuestSession | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const session = JSON.parse(raw) as GuestSession;
    if (!session.token || !session.user?.id) return null;
    if (isJwtExpiring(session.token, 0)) return null;
    return session;
  } catch {
    return null;
  }
}

/** Creates a guest user on the server and remembers its token in localStorage. */
export async function createGuestSession(name: string): Promise<GuestSession> {
  const session = await apiRequest<GuestSession>('/api/auth/guest', { body: { name } });
  localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  return session;
}

/** Forgets the guest identity, e.g. after the server rejected its token. */
export function clearSession(): void {
  localStorage.removeItem(STORAGE_KEY);
}
