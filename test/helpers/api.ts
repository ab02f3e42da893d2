/** A JSON answer: status, parsed body (or text), headers. */
export interface ApiAnswer<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** Calls the REST API over a real socket. */
export async function call<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  } else if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/** A guest user and its token. */
export async function guest(baseUrl: string, name = 'Tester'): Promise<{ token: string; user: { id: string; name: string } }> {
  const answer = await call(baseUrl, 'POST', '/api/auth/guest', { body: { name } });
  if (answer.status !== 201) throw new Error(`guest failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A room owned by a new guest. */
export async function roomWithOwner(baseUrl: string, room: { name?: string; visibility?: 'public' | 'private'; password?: string } = {}) {
  const owner = await guest(baseUrl, 'Owner');
  const answer = await call(baseUrl, 'POST', '/api/rooms', {
    token: owner.token,
    body: { name: room.name ?? 'Board', visibility: room.visibility ?? 'private', ...(room.password ? { password: room.password } : {}) },
  });
  if (answer.status !== 201) throw new Error(`room failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return { owner, room: answer.body as { id: string; name: string; visibility: string; hasPassword: boolean; ownerId: string } };
}

/** POST /join (with a password or an invite in `body`); throws unless it answers 200. */
export async function joinRoom(baseUrl: string, roomId: string, token: string, body: Record<string, unknown> = {}) {
  const answer = await call(baseUrl, 'POST', `/api/rooms/${roomId}/join`, { token, body });
  if (answer.status !== 200) throw new Error(`join failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as { token: string; role: string };
}

/** An invite token of `role` made by the owner; throws unless it answers 201. */
export async function inviteToken(baseUrl: string, roomId: string, ownerToken: string, role: 'editor' | 'viewer'): Promise<string> {
  const answer = await call(baseUrl, 'POST', `/api/rooms/${roomId}/invite`, { token: ownerToken, body: { role } });
  if (answer.status !== 201) throw new Error(`invite failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.token as string;
}
