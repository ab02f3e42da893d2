import type { Role } from '../db/schema.ts';

/** What a connection carries after `onAuthenticate` (Hocuspocus merges it into `context`). */
export interface ConnectionContext {
  /** The client's address, set when the socket is accepted (for security logs). */
  ip?: string;
  /** Closes the whole socket (the provider then reconnects with backoff). */
  closeSocket?: (code: number, reason: string) => void;
  /** Tells the socket layer a document authenticated (ends its pre-authentication deadline). */
  markAuthenticated?: (userId: string) => void;
  user: { id: string; name: string; color: string };
  /** What a user token says of its user beyond the name, for the user's row (never shown to others). */
  profile?: { email?: string; avatarUrl?: string };
  role: Role;
  roomId: string;
  /** The token's `exp` (seconds): the connection is closed then. */
  tokenExp: number;
}

const COLORS = ['#e03131', '#1971c2', '#2f9e44', '#f08c00', '#9c36b5', '#0c8599', '#e8590c', '#6741d9', '#c2255c', '#5c940d'];

/** A stable presence colour for a user id. */
export function colorFor(userId: string): string {
  let hash = 0;
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) | 0;
  return COLORS[Math.abs(hash) % COLORS.length]!;
}
