import type { Role } from '../db/schema.ts';

/** What a connection carries after `onAuthenticate` (Hocuspocus merges it into `context`). */
export interface ConnectionContext {
  /** The client's address, set when the socket is accepted (for security logs). */
  ip?: string;
  /** Closes the whole socket (the provider then reconnects with backoff). */
  closeSocket?: (code: number, reason: string) => void;
  user: { id: string; name: string; color: string };
  role: Role;
  roomId: string;
  /** The token's `exp` (seconds): the connection is closed then. */
  tokenExp: number;
}

/** Close codes we send; all 4xxx as API.md requires, named after HTTP where one fits. */
export const CloseCodes = {
  tokenExpired: { code: 4401, reason: 'token-expired' },
  // The reasons API.md gives for access taken away from a live connection.
  roomDeleted: { code: 4404, reason: 'room-not-found' },
  permissionDenied: { code: 4403, reason: 'permission-denied' },
  messageTooLarge: { code: 4009, reason: 'message-too-large' },
  documentTooLarge: { code: 4413, reason: 'document-too-large' },
  rateLimited: { code: 4429, reason: 'rate-limited' },
  badFrame: { code: 4400, reason: 'bad-frame' },
  storageUnavailable: { code: 4503, reason: 'storage-unavailable' },
} as const;

const COLORS = ['#e03131', '#1971c2', '#2f9e44', '#f08c00', '#9c36b5', '#0c8599', '#e8590c', '#6741d9', '#c2255c', '#5c940d'];

/** A stable presence colour for a user id. */
export function colorFor(userId: string): string {
  let hash = 0;
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) | 0;
  return COLORS[Math.abs(hash) % COLORS.length]!;
}
