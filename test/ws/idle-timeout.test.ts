import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { useTestServer } from '../helpers/server.ts';

const server = useTestServer({ env: { WS_IDLE_TIMEOUT_MS: '1000' } });

describe('idle timeout', () => {
  it('closes a connection that sends nothing with 4408, and the server goes on', async () => {
    const ws = new WebSocket(server.wsUrl);
    const opened = performance.now();
    const closed = await new Promise<{ code: number; reason: string }>((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    expect(closed).toEqual({ code: 4408, reason: 'Connection Timeout' });
    expect(performance.now() - opened).toBeLessThan(5_000);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
