import { z } from 'zod';

// Control characters (C0, DEL, C1) and angle brackets are removed so a name can be
// shown anywhere without escaping surprises; what is left must be 1–100 characters.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f<>]/g;

// Characters that make a name display as something it is not: bidi embeddings,
// overrides, isolates and marks (U+202A–202E, U+2066–2069, U+200E/F, U+061C) reorder
// text, so "Eve\u202Enimda" shows as "Eveadmin"; zero-width characters (U+200B, U+200C,
// U+2060, U+FEFF, U+180E) make two names that look the same differ.
const DECEPTIVE = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u200b\u200c\u2060\ufeff\u180e]/u;
// The zero-width joiner too, except inside emoji sequences (👩‍💻), where it belongs.
const STRAY_JOINER = /(?<!\p{Extended_Pictographic}\ufe0f?)\u200d|\u200d(?!\p{Extended_Pictographic})/u;

/** @returns the cleaned display name (may be empty: the schema then refuses it). */
export function sanitizeName(raw: string): string {
  return raw.replace(UNSAFE, '').trim();
}

/** Whether a name holds bidi controls or zero-width characters (refused, never silently changed). */
export function hasDeceptiveCharacters(name: string): boolean {
  return DECEPTIVE.test(name) || STRAY_JOINER.test(name);
}

/** A name from elsewhere (a minted token) cleaned for display: deceptive characters dropped. */
export function displayName(raw: string): string {
  return sanitizeName(raw.replace(new RegExp(DECEPTIVE.source, 'gu'), '').replace(new RegExp(STRAY_JOINER.source, 'gu'), ''));
}

/** The validation message of a refused deceptive name (the API logs a security event for it). */
export const DECEPTIVE_NAME_MESSAGE = 'must not contain bidi control or zero-width characters';

/** A room or user name as API.md defines it. */
export const nameSchema = z
  .string()
  .refine((name) => !hasDeceptiveCharacters(name), DECEPTIVE_NAME_MESSAGE)
  .transform(sanitizeName)
  .pipe(z.string().min(1, 'must not be empty after trimming').max(100, 'must be at most 100 characters'));
