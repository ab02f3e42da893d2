import { compare, hash } from '@node-rs/bcrypt';

// @node-rs/bcrypt: a maintained, prebuilt N-API binding, so it loads on Node 24
// without compiling and runs off the main thread (the event loop keeps serving).
const COST = 10;

/** @returns a bcrypt hash of the room password. */
export function hashPassword(password: string): Promise<string> {
  return hash(password, COST);
}

/** @returns whether the password matches the stored bcrypt hash. */
export function verifyPassword(password: string, passwordHash: string): Promise<boolean> {
  return compare(password, passwordHash).catch(() => false);
}
