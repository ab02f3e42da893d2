import { describe, expect, it } from 'vitest';
import { useTestServer } from '../helpers/server.ts';

const server = useTestServer();

describe('OpenAPI for the document API, webhooks and assets', () => {
  it('describes every document, webhook and asset route the app serves', async () => {
    const answer = await server.app.request('/api/openapi.json');
    const document = (await answer.json()) as { paths: Record<string, Record<string, unknown>> };
    const served = server.app.routes
      .filter((route) => /\/(document|webhooks|assets)/.test(route.path) && route.method !== 'ALL')
      .map((route) => ({ method: route.method.toLowerCase(), path: route.path.replace(/:(\w+)/g, '{$1}') }));
    expect(served.length).toBeGreaterThanOrEqual(11);
    for (const { method, path } of served) expect(document.paths[path], `${method} ${path}`).toHaveProperty([method]);
    const post = document.paths['/api/rooms/{roomId}/document/update']!.post as { requestBody: { content: Record<string, unknown> } };
    expect(post.requestBody.content).toHaveProperty(['application/octet-stream']);
    const upload = document.paths['/api/rooms/{roomId}/assets']!.post as { requestBody: { content: Record<string, unknown> } };
    expect(upload.requestBody.content).toHaveProperty(['multipart/form-data']);
  });
});

describe('OpenAPI for versions, forks and thumbnails', () => {
  it('describes every version, fork and thumbnail route the app serves', async () => {
    const document = (await (await server.app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    };
    const served = server.app.routes
      .filter((route) => /\/(snapshots|versions|fork|thumbnail)/.test(route.path) && route.method !== 'ALL')
      .map((route) => ({ method: route.method.toLowerCase(), path: route.path.replace(/:(\w+)/g, '{$1}') }));
    expect(served.length).toBeGreaterThanOrEqual(3);
    for (const { method, path } of served) expect(document.paths[path], `${method} ${path}`).toHaveProperty([method]);
    expect(Object.keys(document.paths['/api/rooms/{roomId}/versions']!.post!.responses)).toEqual([
      '201',
      '400',
      '401',
      '403',
      '404',
      '429',
    ]);
  });
});
