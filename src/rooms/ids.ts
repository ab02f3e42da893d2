import { randomBytes } from 'node:crypto';

/** A URL-safe room id of 12 characters (72 random bits), within API.md's 20. */
export function newRoomId(): string {
  return randomBytes(9).toString('base64url');
}

/** Room ids we accept from clients: URL-safe, 1–20 characters. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{1,20}$/;
