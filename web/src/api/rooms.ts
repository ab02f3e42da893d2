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

/** Someone connected to a room right now, as `GET /api/rooms/:roomId` lists them. */
export interface OnlineUser {
  id: string;
  name: string;
}

/** A room with the people connected to it. */
export interface RoomDetails extends Room {
  online: OnlineUser[];
}

/** Reads a room's details (name, visibility, who is online) for the board header and the boards page. */
export function getRoom(userToken: string, roomId: string, signal?: AbortSignal): Promise<RoomDetails> {
  return apiRequest<RoomDetails>(`/api/rooms/${encodeURIComponent(roomId)}`, { token: userToken, signal });
}

/**
 * One page of the rooms the user owns or joined, newest activity first. The next page
 * starts `before` the `lastActive` of the last room of this one.
 */
export function listRooms(userToken: string, page: { limit: number; before?: string }, signal?: AbortSignal): Promise<Room[]> {
  const query = new URLSearchParams({ limit: String(page.limit) });
  if (page.before) query.set('before', page.before);
  return apiRequest<Room[]>(`/api/rooms?${query}`, { token: userToken, signal });
}

/** Owner only: gives the room a new name (the server trims it and refuses an empty one). */
export function renameRoom(userToken: string, roomId: string, name: string): Promise<Room> {
  return apiRequest<Room>(`/api/rooms/${encodeURIComponent(roomId)}`, { method: 'PATCH', body: { name }, token: userToken });
}

/** Owner only: deletes the room for everyone; connected clients are disconnected. */
export function deleteRoom(userToken: string, roomId: string): Promise<void> {
  return apiRequest<void>(`/api/rooms/${encodeURIComponent(roomId)}`, { method: 'DELETE', token: userToken });
}

/**
 * Where the room's preview picture is (a PNG of its first page), with the user token in
 * the query: an <img> sends no Authorization header, and private rooms' pictures are for
 * members only. Whoever shows it hides the image when it fails to load.
 */
export function thumbnailUrl(roomId: string, userToken: string): string {
  return `/api/rooms/${encodeURIComponent(roomId)}/thumbnail?token=${encodeURIComponent(userToken)}`;
}

/** Owner only: creates an invite link for the given role. */
export function createInvite(userToken: string, roomId: string, role: Invite['role']): Promise<Invite> {
  return apiRequest<Invite>(`/api/rooms/${encodeURIComponent(roomId)}/invite`, {
    body: { role },
    token: userToken,
  });
}
