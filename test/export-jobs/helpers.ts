import { expect, vi } from 'vitest';
import { writeBoardToYDoc } from '../../src/render/index.ts';
import type { ExportView } from '../../src/export-jobs/index.ts';
import { fixtureFile } from '../render/helpers.ts';
import { call, roomWithOwner } from '../helpers/api.ts';
import { acknowledged, syncedProvider, type TestProvider } from '../helpers/provider.ts';

/** A private room whose board is the fixture, written by a real provider and acknowledged. */
export async function fixtureRoom(server: { url: string; wsUrl: string }) {
  const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
  const writer = await syncedProvider(server.wsUrl, room.id, owner.token);
  writeBoardToYDoc(writer.doc, room.id, fixtureFile());
  await acknowledged(writer);
  return { owner, room, writer };
}

/** Enqueues an export and expects the 202 with a pending export. */
export async function requestExport(baseUrl: string, roomId: string, token: string, body: Record<string, unknown>): Promise<ExportView> {
  const answer = await call<ExportView>(baseUrl, 'POST', `/api/exports/${roomId}`, { token, body });
  expect(answer.status, JSON.stringify(answer.body)).toBe(202);
  expect(answer.body.status).toBe('pending');
  return answer.body;
}

/** Polls the export until it is completed or failed; returns every status seen. */
export async function settled(baseUrl: string, exportId: string, token: string): Promise<{ view: ExportView; seen: string[] }> {
  const seen: string[] = [];
  const view = await vi.waitFor(
    async () => {
      const answer = await call<ExportView>(baseUrl, 'GET', `/api/exports/${exportId}`, { token });
      expect(answer.status).toBe(200);
      if (seen.at(-1) !== answer.body.status) seen.push(answer.body.status);
      if (answer.body.status !== 'completed' && answer.body.status !== 'failed') throw new Error(`still ${answer.body.status}`);
      return answer.body;
    },
    { timeout: 20_000, interval: 25 },
  );
  return { view, seen };
}

/** Downloads an export's file. */
export async function download(
  url: string,
  token: string,
): Promise<{ status: number; type: string | null; disposition: string | null; bytes: Uint8Array }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return {
    status: response.status,
    type: response.headers.get('content-type'),
    disposition: response.headers.get('content-disposition'),
    bytes: new Uint8Array(await response.arrayBuffer()),
  };
}

/** Waits until the server has no document loaded for the room (all providers left). */
export async function unloaded(server: { hocuspocus: { documents: Map<string, unknown> } }, roomId: string, providers: TestProvider[]) {
  for (const p of providers) p.destroy();
  await vi.waitFor(() => expect(server.hocuspocus.documents.has(roomId)).toBe(false), { timeout: 10_000, interval: 20 });
}
