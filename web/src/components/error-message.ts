import { ApiError } from '../api/http.ts';

/** A sentence for the user from anything a request may throw. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    if (error.status === 429) return 'Too many requests; please wait a moment and try again.';
    return error.message;
  }
  if (error instanceof TypeError) return 'The server cannot be reached. Check your connection.';
  return error instanceof Error ? error.message : String(error);
}
