import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { call } from '../helpers/api.ts';
import { POSTGRES_URL } from '../helpers/db.ts';
import { startTestServer, useTestServer } from '../helpers/server.ts';

const server = useTestServer({
  env: { CORS_ORIGINS: 'https://app.example.com', MAX_DOCUMENT_BYTES: '5000000', MAX_ASSET_BYTES: '3000000' },
});

describe('health, metrics and the API description', () => {
  it('GET /healthz answers ok', async () => {
    const answer = await call(server.url, 'GET', '/healthz');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz is 200 while the database answers', async () => {
    const answer = await call(server.url, 'GET', '/readyz');
    expect(answer.status).toBe(200);
    expect(answer.body.checks).toEqual({ database: 'ok' });
  });

  it('GET /metrics serves the Prometheus text with our metrics', async () => {
    await call(server.url, 'GET', '/healthz');
    const answer = await fetch(`${server.url}/metrics`);
    expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await answer.text();
    for (const name of [
      'scrible_connections',
      'scrible_documents_loaded',
      'scrible_document_bytes',
      'scrible_updates_total',
      'scrible_messages_rejected_total',
      'scrible_auth_failures_total',
      'scrible_snapshot_writes_total',
      'scrible_exports_total',
      'http_request_duration_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} [1-9]/);
  });

  it('GET /api/openapi.json describes every route', async () => {
    const answer = await call(server.url, 'GET', '/api/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.body.openapi).toMatch(/^3\./);
    for (const path of [
      '/api/auth/guest',
      '/api/rooms',
      '/api/rooms/{roomId}',
      '/api/limits',
      '/api/rooms/{roomId}/invite',
      '/api/rooms/{roomId}/join',
      '/api/rooms/{roomId}/invites',
      '/api/rooms/{roomId}/invites/{inviteId}',
      '/api/rooms/{roomId}/members',
      '/api/rooms/{roomId}/members/{userId}',
      '/api/rooms/{roomId}/snapshots',
      '/api/rooms/{roomId}/snapshots/{version}/restore',
      '/healthz',
      '/readyz',
      '/metrics',
    ]) {
      expect(answer.body.paths).toHaveProperty([path]);
    }
    expect(answer.body.paths['/api/auth/guest'].post.requestBody.content['application/json'].schema.properties).toHaveProperty('name');
  });

  it('GET /api/limits tells the configured sizes, without a token', async () => {
    const answer = await call(server.url, 'GET', '/api/limits');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      maxDocumentBytes: 5_000_000,
      maxMessageBytes: 2 * 1024 * 1024,
      maxAssetBytes: 3_000_000,
      maxRoomAssetBytes: expect.any(Number),
    });
    expect(answer.headers.get('cache-control')).toBe('public, max-age=300');
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    const answer = await call(server.url, 'GET', '/api/nothing-here');
    expect(answer.status).toBe(404);
    expect(answer.body.error.code).toBe('not-found');
  });

  it('sends secure headers', async () => {
    const answer = await fetch(`${server.url}/healthz`);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });
});

describe('request size limits', () => {
  it('answers 431 to more than 16 KiB of headers and keeps serving', async () => {
    const answer = await fetch(`${server.url}/healthz`, { headers: { 'x-padding': 'x'.repeat(20_000) } });
    expect(answer.status).toBe(431);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('answers 400 to a request that is not HTTP', async () => {
    const net = await import('node:net');
    const reply = await new Promise<string>((resolve) => {
      const socket = net.connect(Number(new URL(server.url).port), '127.0.0.1', () => socket.write('\x00\x01garbage\r\n\r\n'));
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('close', () => resolve(text));
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('CORS_ORIGINS', () => {
  it('allows a listed origin', async () => {
    const answer = await call(server.url, 'POST', '/api/auth/guest', {
      body: { name: 'A' },
      headers: { origin: 'https://app.example.com' },
    });
    expect(answer.status).toBe(201);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });

  it('refuses a foreign origin, preflight and request', async () => {
    const preflight = await fetch(`${server.url}/api/rooms`, {
      method: 'OPTIONS',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    const answer = await call(server.url, 'POST', '/api/auth/guest', { body: { name: 'A' }, headers: { origin: 'https://evil.example' } });
    expect(answer.status).toBe(403);
    expect(answer.body.error.code).toBe('origin-not-allowed');
  });
});

describe('readiness without a database', () => {
  it('GET /readyz is 503 when the database is gone, /healthz still 200', async () => {
    const doomed = await startTestServer();
    try {
      const name = new URL(doomed.storage.databaseUrl!).pathname.slice(1);
      const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
      const answer = await call(doomed.url, 'GET', '/readyz');
      expect(answer.status).toBe(503);
      expect(answer.body.status).toBe('unavailable');
      expect((await call(doomed.url, 'GET', '/healthz')).status).toBe(200);
    } finally {
      await doomed.close();
      await doomed.storage.drop();
    }
  });
});
