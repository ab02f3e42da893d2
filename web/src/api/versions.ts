import { apiRequest } from './http.ts';
import type { Room } from './rooms.ts';

/** A stored version of a board, as `GET /api/rooms/:roomId/snapshots` lists it (newest first). */
export interface BoardVersion {
  version: number;
  createdAt: string;
  bytes: number;
  /** Set on named versions, which are kept for good. */
  name: string | null;
  /** Who made the change stored as this version, or named it; null when unknown. */
  createdBy: { id: string; name: string } | null;
}

const roomPath = (roomId: string) => `/api/rooms/${encodeURIComponent(roomId)}`;

/** The board's stored versions, newest first (members). */
export function listVersions(userToken: string, roomId: string, signal?: AbortSignal): Promise<BoardVersion[]> {
  return apiRequest<BoardVersion[]>(`${roomPath(roomId)}/snapshots`, { token: userToken, signal });
}

/** Stores the board as it is now under a name (owner, editor); such versions are never pruned. */
export function nameVersion(userToken: string, roomId: string, name: string): Promise<BoardVersion> {
  return apiRequest<BoardVersion>(`${roomPath(roomId)}/versions`, { body: { name }, token: userToken });
}

/** Owner only: the board returns to the version for everyone, stored as a new version. */
export function restoreVersion(
  userToken: string,
  roomId: string,
  version: number,
): Promise<{ restoredFrom: number; version: number | null }> {
  return apiRequest(`${roomPath(roomId)}/snapshots/${version}/restore`, { method: 'POST', token: userToken });
}

/** A new private board owned by the caller, holding the board now or the given version. */
export function copyBoard(userToken: string, roomId: string, options: { name?: string; version?: number } = {}): Promise<Room> {
  return apiRequest<Room>(`${roomPath(roomId)}/fork`, { body: options, token: userToken });
}

/** Where a version's picture is; the token rides in the query because an <img> sends no header. */
export function versionPreviewUrl(roomId: string, version: number, userToken: string): string {
  return `${roomPath(roomId)}/snapshots/${version}/preview?token=${encodeURIComponent(userToken)}`;
}
