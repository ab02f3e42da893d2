import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { call, roomWithOwner } from '../helpers/api.ts';
import { TEST_SECRET, useTestServer } from '../helpers/server.ts';
import { page } from '../helpers/tldraw-records.ts';
import { fetchAsset, imageAsset, noisePng } from './helpers.ts';

const CLI = fileURLToPath(new URL('../../src/migrate-assets.ts', import.meta.url));
const server = useTestServer();

/** Runs `npm run assets:migrate` against the test server's database and data directory. */
function runMigration(): Promise<{ code: number | null; report: any; output: string }> {
  const child = spawn(process.execPath, [CLI], {
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      DATABASE_URL: server.storage.databaseUrl!,
      DATA_DIR: server.storage.dataDir,
      JWT_SECRET: TEST_SECRET,
      PUBLIC_URL: server.url,
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let output = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk.toString();
    output += chunk.toString();
  });
  child.stderr.on('data', (chunk) => (output += chunk.toString()));
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      const last = stdout.trim().split('\n').at(-1) ?? '';
      let report: unknown = null;
      try {
        report = JSON.parse(last);
      } catch {
        // the output says what went wrong
      }
      resolve({ code, report, output });
    }),
  );
}

const dataUrl = (type: string, bytes: Uint8Array) => `data:${type};base64,${Buffer.from(bytes).toString('base64')}`;

describe('npm run assets:migrate', () => {
  it('moves inline images of stored boards into the asset store and points their records at it, once', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const png = await noisePng(120, 80);
    const inline = dataUrl('image/png', png);
    const records = [
      page,
      imageAsset('asset:one', inline, 120, 80),
      // The same picture pasted twice: one stored file.
      imageAsset('asset:two', inline, 120, 80),
      // Not an allowed type: stays as it is.
      imageAsset('asset:text', dataUrl('image/png', new TextEncoder().encode('not a picture'))),
    ];
    const patch = await call(server.url, 'PATCH', `/api/rooms/${room.id}/document`, { token: owner.token, body: { put: records } });
    expect(patch.status, JSON.stringify(patch.body)).toBe(200);
    const documentBytes = async () =>
      (await fetchAsset(`${server.url}/api/rooms/${room.id}/document/update`, { token: owner.token })).bytes.byteLength;
    const before = await documentBytes();
    await vi.waitFor(() => expect(server.hocuspocus.documents.has(room.id)).toBe(false), { timeout: 10_000 });
    const untouched = await roomWithOwner(server.url);

    const first = await runMigration();
    expect(first.code, first.output).toBe(0);
    expect(first.report).toMatchObject({ roomsChanged: 1, assetsMoved: 2, bytesMoved: 2 * png.byteLength });
    expect(first.report.rooms).toBeGreaterThanOrEqual(2);
    expect(first.report.skipped).toEqual([{ roomId: room.id, recordId: 'asset:text', reason: expect.stringContaining('not a PNG') }]);

    const board = await call(server.url, 'GET', `/api/rooms/${room.id}/document`, { token: owner.token });
    const src = (id: string) => board.body.records.find((record: { id: string }) => record.id === id)?.props.src as string;
    expect(src('asset:one')).toMatch(new RegExp(`^${server.url}/api/rooms/${room.id}/assets/[0-9a-f]{64}$`));
    expect(src('asset:two')).toBe(src('asset:one'));
    expect(src('asset:text').startsWith('data:')).toBe(true);
    const stored = await fetchAsset(src('asset:one'), { token: owner.token });
    expect(stored.status).toBe(200);
    expect(Buffer.from(stored.bytes).equals(Buffer.from(png))).toBe(true);
    const after = await documentBytes();
    // The board lost both copies of the picture (base64: 4/3 of its bytes each), less the history Yjs keeps of deletions.
    expect(after).toBeLessThan(before - png.byteLength);
    expect((await call(server.url, 'GET', `/api/rooms/${untouched.room.id}/document`, { token: untouched.owner.token })).status).toBe(200);

    const again = await runMigration();
    expect(again.code, again.output).toBe(0);
    expect(again.report).toMatchObject({ roomsChanged: 0, assetsMoved: 0 });
  });
});
