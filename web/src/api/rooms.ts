import { apiRequest } from './http.ts';

/** A room as the API returns it (never the password or its hash). */
export interface Room {
  id: string;
  name: string;
  visibility: 'public' | 'private';
  hasPassword: boolean;
  ownerId: string;
  createdAt: string;
  lastActive: string;
}

/** A member's role in a room; only owner and editor may write. */
export type RoomRole = 'owner' | 'editor' | 'viewer';

/** What `POST /api/rooms/:roomId/join` answers: a room token for the WebSocket. */
export interface RoomAccess {
  token: string;
  role: RoomRole;
}

/** What the `join` call needs besides the user token. */
export interface JoinCredentials {
  password?: string;
  /** Invite token from a share link's `#invite=` fragment. */
  invite?: string;
}

/** An invite link from `POST /api/rooms/:roomId/invite`. */
export interface Invite {
  id: string;
  token: string;
  url: string;
  role: 'editor' | 'viewer';
  expiresAt: string | null;
  maxUses: number | null;
}

/** Creates a room owned by the caller. */
export function createRoom(userToken: string, input: { name: string; visibility: Room['visibility']; password?: string }): Promise<Room> {
  return apiRequest<Room>('/api/rooms', { body: input, token: userToken });
}

/** Exchanges the user token (plus password or invite) for a room token and role. */
export function joinRoom(userToken: string, roomId: string, credentials: JoinCredentials = {}): Promise<RoomAccess> {
  // Only send fields that are set: the API rejects unknown fields and wrong types.
  const body: JoinCredentials = {};
  if (credentials.password) body.password = credentials.password;
  if (credentials.invite) body.invite = credentials.invite;
  return apiRequest<RoomAccess>(`/api/rooms/${encodeURIComponent(roomId)}/join`, {
    body,
    token: userToken,
  });
}

/** Reads a room's public details (name, visibility) for the board header. */
export function getRoom(userToken: string, roomId: string): Promise<Room> {
  return apiRequest<Room>(`/api/rooms/${encodeURIComponent(roomId)}`, { token: userToken });
}

/** Owner only: creates an invite link for the given role. */
export function createInvite(userToken: string, roomId: string, role: Invite['role']): Promise<Invite> {
  return apiRequest<Invite>(`/api/rooms/${encodeURIComponent(roomId)}/invite`, {
    body: { role },
    token: userToken,
  });
}
