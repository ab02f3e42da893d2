/**
 * A thin `fetch` wrapper for the Scrible REST API (see API.md): JSON in, JSON out,
 * and every non-2xx answer turned into an {@link ApiError} carrying the API's error code.
 */

/** An error answer from the API: `{ error: { code, message } }` plus the HTTP status. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** Options for {@link apiRequest}. */
export interface ApiRequestOptions {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Serialised as JSON when present. */
  body?: unknown;
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  signal?: AbortSignal;
}

/**
 * Calls the API and returns the raw response once it is known to be a success.
 * @param path - absolute path on this origin, e.g. `/api/rooms`
 * @throws ApiError for any non-2xx answer
 */
export async function apiFetch(path: string, options: ApiRequestOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {};
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(path, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
  if (!response.ok) throw await toApiError(response);
  return response;
}

/**
 * Calls the API and parses the JSON answer.
 * @example const room = await apiRequest<Room>('/api/rooms', { body: { name }, token })
 */
export async function apiRequest<T>(path: string, options: ApiRequestOptions = {}): Promise<T> {
  const response = await apiFetch(path, options);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

async function toApiError(response: Response): Promise<ApiError> {
  // A proxy or a crash may answer with something that is not the API's error shape.
  const body = (await response.json().catch(() => null)) as {
    error?: { code?: string; message?: string };
  } | null;
  return new ApiError(
    response.status,
    body?.error?.code ?? `http-${response.status}`,
    body?.error?.message ?? response.statusText ?? 'Request failed',
  );
}
