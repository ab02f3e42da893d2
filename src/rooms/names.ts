import { z } from 'zod';

// Control characters (C0, DEL, C1) and angle brackets are removed so a name can be
// shown anywhere without escaping surprises; what is left must be 1–100 characters.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f<>]/g;

/** @returns the cleaned display name (may be empty: the schema then refuses it). */
export function sanitizeName(raw: string): string {
  return raw.replace(UNSAFE, '').trim();
}

/** A room or user name as API.md defines it. */
export const nameSchema = z
  .string()
  .transform(sanitizeName)
  .pipe(z.string().min(1, 'must not be empty after trimming').max(100, 'must be at most 100 characters'));
