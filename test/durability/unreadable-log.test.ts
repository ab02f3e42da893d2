import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { queryRows } from '../../src/db/rows.ts';
import { SnapshotStore } from '../../src/documents/snapshot-store.ts';
import { UpdateLog } from '../../src/documents/update-log.ts';
import { roomWithOwner } from '../helpers/api.ts';
import { putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { useTestServer } from '../helpers/server.ts';

const server = useTestServer();

async function quarantined(roomId: string): Promise<Array<{ kind: string; source_id: string; data: Uint8Array }>> {
  return queryRows(
    server.database.db,
    sql`select kind, source_id, data from quarantined_data where room_id = ${roomId} order by kind, source_id`,
  );
}

async function quarantineCount(kind: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const match = new RegExp(`^scrible_quarantined_total\\{kind="${kind}"\\} (\\d+)`, 'm').exec(text);
  return Number(match?.[1] ?? 0);
}

function updateWith(roomId: string, id: string): Uint8Array {
  const doc = new Y.Doc();
  putRecord(doc, roomId, id, {});
  return Y.encodeStateAsUpdate(doc);
}

describe('unreadable stored data is kept, not deleted', () => {
  it('moves a log row Yjs cannot read to quarantine and opens the room without it', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const log = new UpdateLog({ db: server.database.db, log: server.log });
    await log.append(room.id, updateWith(room.id, 'shape:logged'));
    const garbage = new Uint8Array([7, 7, 7, 7, 7]);
    await log.append(room.id, garbage);
    const seqs = async () =>
      (await queryRows<{ seq: string }>(server.database.db, sql`select seq from room_updates where room_id = ${room.id} order by seq`)).map(
        (row) => Number(row.seq),
      );
    const [good, bad] = await seqs();
    const before = await quarantineCount('update');

    const reader = await syncedProvider(server.wsUrl, room.id, owner.token);
    expect(recordIds(reader.doc, room.id)).toEqual(['shape:logged']);
    expect(await seqs()).toEqual([good]);
    const moved = await quarantined(room.id);
    expect(moved.map((row) => [row.kind, Number(row.source_id)])).toEqual([['update', bad]]);
    expect([...moved[0]!.data]).toEqual([...garbage]);
    expect(await quarantineCount('update')).toBe(before + 1);
  });

  it('opens a room whose newest snapshot is undecodable from the newest one that decodes, plus the log', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const snapshots = new SnapshotStore(server.database.db);
    const first = updateWith(room.id, 'shape:in-v1');
    const v1 = await snapshots.append(room.id, first, Y.encodeStateVectorFromUpdate(first));
    const v2 = await snapshots.append(room.id, new Uint8Array([9, 9, 9, 9]), new Uint8Array([0]));
    await new UpdateLog({ db: server.database.db, log: server.log }).append(room.id, updateWith(room.id, 'shape:in-log'));
    const before = await quarantineCount('snapshot');

    const reader = await syncedProvider(server.wsUrl, room.id, owner.token);
    expect(recordIds(reader.doc, room.id)).toEqual(['shape:in-log', 'shape:in-v1']);
    expect((await quarantined(room.id)).map((row) => [row.kind, Number(row.source_id)])).toEqual([['snapshot', v2]]);
    expect((await snapshots.list(room.id)).map((s) => s.version)).toEqual([v1]);
    expect(await quarantineCount('snapshot')).toBe(before + 1);
  });
});
