import { Document, type beforeSyncPayload } from '@hocuspocus/server';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import { Limits } from '../../extensions/limits.ts';
import { RoomStates } from '../../src/documents/room-state.ts';
import { Metrics } from '../../src/metrics.ts';
import type { ConnectionContext } from '../../src/ws/context.ts';
import { putRecord } from '../helpers/provider.ts';

const ROOM = 'room-without-state';
const LIMIT = 4_000;

/** An update adding one record of about `bytes` bytes, from a client of its own. */
function record(id: string, bytes: number): Uint8Array {
  const doc = new Y.Doc();
  putRecord(doc, ROOM, id, { blob: 'x'.repeat(bytes) });
  return Y.encodeStateAsUpdate(doc);
}

/**
 * The Limits hook as Hocuspocus calls it for a sync Update message, on a document no
 * onLoadDocument opened state for (the real server never gets here: Persistence opens
 * the state before any client syncs; a late message after unload would).
 */
function sendUpdate(limits: Limits, document: Document, update: Uint8Array, closes: number[]) {
  const connection = { readOnly: false, webSocket: { close: (code: number) => closes.push(code) } };
  const payload = { type: 2, payload: update, document, documentName: document.name, context: {}, connection, clientsCount: 1 };
  return limits.beforeSync(payload as unknown as beforeSyncPayload<ConnectionContext>);
}

describe('document size limit without per-room state', () => {
  it('measures the document for the message and creates no state', async () => {
    const rooms = new RoomStates();
    const limits = new Limits({ maxDocumentBytes: LIMIT, rooms, metrics: new Metrics(), log: pino({ level: 'silent' }) });
    const document = new Document(ROOM);
    Y.applyUpdate(document, record('shape:present', 2_500));
    const closes: number[] = [];

    await sendUpdate(limits, document, record('shape:small', 100), closes);
    expect(rooms.get(document)).toBeUndefined();
    expect(rooms.size).toBe(0);

    // 2.5 KB there plus 2 KB more is over the limit: refused as with state.
    await expect(sendUpdate(limits, document, record('shape:big', 2_000), closes)).rejects.toMatchObject({
      code: 4413,
      reason: 'document-too-large',
    });
    expect(closes).toEqual([4413]);
    expect(rooms.size).toBe(0);
  });
});
