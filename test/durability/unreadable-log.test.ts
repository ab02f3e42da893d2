import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { queryRows } from '../../src/db/rows.ts';
import { UpdateLog } from '../../src/documents/update-log.ts';
import { roomWithOwner } from '../helpers/api.ts';
import { putRecord, recordIds, syncedProvider } from '../helpers/provider.ts';
import { useTestServer } from '../helpers/server.ts';

const server = useTestServer();

describe('loading a room from its log', () => {
  it('applies readable rows, and drops a row Yjs cannot read instead of failing the room', async () => {
    const { owner, room } = await roomWithOwner(server.url);
    const log = new UpdateLog({ db: server.database.db, log: server.log });
    const source = new Y.Doc();
    putRecord(source, room.id, 'shape:logged', {});
    const good = await log.append(room.id, Y.encodeStateAsUpdate(source));
    const bad = await log.append(room.id, new Uint8Array([7, 7, 7, 7, 7]));

    const reader = await syncedProvider(server.wsUrl, room.id, owner.token);
    expect(recordIds(reader.doc, room.id)).toEqual(['shape:logged']);
    const left = await queryRows<{ seq: string }>(server.database.db, sql`select seq from room_updates where room_id = ${room.id}`);
    expect(left.map((row) => Number(row.seq))).toEqual([good]);
    expect(bad).toBeGreaterThan(good!);
  });
});
