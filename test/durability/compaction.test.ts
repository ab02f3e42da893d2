import { sql } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import * as Y from 'yjs';
import { queryRows } from '../../src/db/rows.ts';
import { roomWithOwner } from '../helpers/api.ts';
import { acknowledged, syncedProvider } from '../helpers/provider.ts';
import { useTestServer } from '../helpers/server.ts';

// Long debounce: only the log-size trigger can cause the snapshots here.
const server = useTestServer({
  env: {
    SNAPSHOT_DEBOUNCE_MS: '60000',
    SNAPSHOT_MAX_DEBOUNCE_MS: '120000',
    WS_MAX_MESSAGES_PER_SECOND: '10000',
    WS_BURST_MESSAGES: '10000',
  },
});

async function logBytes(roomId: string): Promise<number> {
  const [row] = await queryRows<{ bytes: string | null }>(
    server.database.db,
    sql`select sum(octet_length(update)) as bytes from room_updates where room_id = ${roomId}`,
  );
  return Number(row?.bytes ?? 0);
}

describe('log compaction', () => {
  it('keeps a room’s log within 3× its document (at least 32 KiB) while it is edited', { timeout: 60_000 }, async () => {
    const { owner, room } = await roomWithOwner(server.url, { visibility: 'private' });
    const writer = await syncedProvider(server.wsUrl, room.id, owner.token);
    const map = writer.doc.getMap('meta');
    let worst = 0;
    for (let i = 0; i < 600; i++) {
      // Overwrites: the document stays small while the log of changes grows.
      map.set(`k${i % 10}`, 'x'.repeat(1_000) + i);
      // Acknowledged in small groups, as a person drawing sends them.
      if (i % 10 === 9) {
        await acknowledged(writer);
        const docBytes = Y.encodeStateAsUpdate(server.hocuspocus.documents.get(room.id)!).byteLength;
        const bytes = await logBytes(room.id);
        worst = Math.max(worst, bytes / Math.max(docBytes, 32_768));
      }
    }
    await acknowledged(writer);
    expect(worst).toBeLessThanOrEqual(3);
    // Compaction happened, and the board is intact after a reload from storage.
    await vi.waitFor(async () => expect(await logBytes(room.id)).toBeLessThan(600 * 1_000));
    writer.destroy();
    await vi.waitFor(() => expect(server.hocuspocus.documents.has(room.id)).toBe(false));
    const reader = await syncedProvider(server.wsUrl, room.id, owner.token);
    expect(reader.doc.getMap('meta').get('k9')).toBe('x'.repeat(1_000) + 599);
  });
});
