import { describe, expect, it } from 'vitest';
import { call } from '../helpers/api.ts';
import { useTestServer } from '../helpers/server.ts';

const server = useTestServer();

describe('REST rate limits per client address', () => {
  it('answers 429 with Retry-After once guest creation exceeds its burst', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 40; i++) statuses.push((await call(server.url, 'POST', '/api/auth/guest', { body: { name: `G${i}` } })).status);
    expect(statuses.slice(0, 30).every((status) => status === 201)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    const limited = await call(server.url, 'POST', '/api/auth/guest', { body: { name: 'Late' } });
    expect(limited.body.error.code).toBe('rate-limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Other routes are not affected by the guest limit.
    expect((await call(server.url, 'GET', '/healthz')).status).toBe(200);
  });
});
