/** Minimal REST calls for setting up scenarios without a browser. */
export async function api<T>(baseUrl: string, path: string, body?: unknown, token?: string): Promise<T> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** A guest who owns a fresh public room, and a room token for its WebSocket. */
export async function createRoomAsGuest(baseUrl: string, name: string) {
  const guest = await api<{ token: string; user: { id: string } }>(baseUrl, '/api/auth/guest', { name });
  const room = await api<{ id: string }>(baseUrl, '/api/rooms', { name: 'Legacy board', visibility: 'public' }, guest.token);
  const access = await api<{ token: string }>(baseUrl, `/api/rooms/${room.id}/join`, {}, guest.token);
  return { roomId: room.id, userToken: guest.token, roomToken: access.token };
}
