/**
 * Cursor colours that read well on tldraw's light and dark backgrounds. A user keeps the
 * same colour in every room and on every device, because it is derived from their id.
 */
const PALETTE = [
  '#e03131',
  '#c2255c',
  '#9c36b5',
  '#6741d9',
  '#3b5bdb',
  '#1971c2',
  '#0c8599',
  '#099268',
  '#2f9e44',
  '#e8590c',
  '#f08c00',
  '#5c940d',
];

/** A stable colour for a user id (FNV-1a hash into {@link PALETTE}). */
export function colorForUser(userId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < userId.length; i++) {
    hash ^= userId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return PALETTE[(hash >>> 0) % PALETTE.length];
}
