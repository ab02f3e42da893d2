import type { ContentfulStatusCode } from 'hono/utils/http-status';

/**
 * An expected failure of a request: becomes `{ error: { code, message } }` with its
 * status in the app's one `onError`.
 */
export class ApiError extends Error {
  override name = 'ApiError';
  readonly status: ContentfulStatusCode;
  readonly code: string;

  constructor(status: ContentfulStatusCode, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const badRequest = (message: string, code = 'bad-request') => new ApiError(400, code, message);
export const unauthorized = (message = 'A valid bearer token is required', code = 'unauthorized') => new ApiError(401, code, message);
export const forbidden = (message = 'You do not have access to this resource', code = 'forbidden') => new ApiError(403, code, message);
export const notFound = (message = 'Not found', code = 'not-found') => new ApiError(404, code, message);

/** The body of every error answer. */
export function errorBody(code: string, message: string) {
  return { error: { code, message } };
}
