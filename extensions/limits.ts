import {
  isTransactionOrigin,
  type afterUnloadDocumentPayload,
  type beforeSyncPayload,
  type Document,
  type Extension,
  type onChangePayload,
} from '@hocuspocus/server';
import * as Y from 'yjs';
import { logSecurityEvent, type Logger } from '../src/log.ts';
import type { Metrics } from '../src/metrics.ts';
import { CloseCodes, type ConnectionContext } from '../src/ws/context.ts';

export interface LimitsConfiguration {
  /** Largest encoded document a room may grow to. @default 33_554_432 (32 MiB) */
  maxDocumentBytes: number;
  /** Shortest time between two exact measurements of a room at its limit. @default 1000 (ms) */
  remeasureMs?: number;
  metrics: Metrics;
  log: Logger;
}

const SYNC_STEP_1 = 0;

/** A room's size bound: never below its encoded size (pending structs included). */
interface RoomSize {
  bytes: number;
  measuredAt: number;
}

/**
 * Keeps each room under `maxDocumentBytes`. Every update a connection sends is counted
 * before it is applied, whatever carries it (SyncStep2 or Update, in a Sync or a
 * SyncReply message) and whether or not Yjs can integrate it yet (updates with missing
 * dependencies wait in the document and are counted too): the bound only moves up
 * between exact measurements, so a room never passes the limit. Near the limit the
 * room is measured exactly (at most once per `remeasureMs`), so deletions make room.
 *
 * At the limit only growth is refused: a first sync step (every reader's way in), an
 * update that adds nothing new, and deletions of content the room has are accepted,
 * so a full room still opens for everyone and can be cleaned up.
 */
export class Limits implements Extension {
  extensionName = 'scrible-limits';
  priority = 900;
  private readonly configuration: LimitsConfiguration;
  private readonly rooms = new Map<string, RoomSize>();

  constructor(configuration: LimitsConfiguration) {
    this.configuration = configuration;
  }

  async beforeSync({ type, payload, document, documentName, context, connection }: beforeSyncPayload<ConnectionContext>): Promise<void> {
    if (type === SYNC_STEP_1 || connection.readOnly) return; // viewers' updates are never applied
    const { maxDocumentBytes } = this.configuration;
    const room = this.sizeOf(document);
    if (room.bytes + payload.byteLength <= maxDocumentBytes) {
      room.bytes += payload.byteLength;
      return;
    }
    const now = performance.now();
    if (now - room.measuredAt >= (this.configuration.remeasureMs ?? 1000)) this.measure(document, room, now);
    if (room.bytes + payload.byteLength <= maxDocumentBytes || !grows(document, payload)) {
      room.bytes += payload.byteLength;
      return;
    }
    const { code, reason } = CloseCodes.documentTooLarge;
    this.configuration.metrics.messagesRejected.inc({ reason });
    logSecurityEvent(this.configuration.log, {
      type: 'document-too-large',
      reason: `${room.bytes} + ${payload.byteLength} bytes > ${maxDocumentBytes}`,
      roomId: documentName,
      userId: context.user?.id,
      ip: context.ip,
    });
    connection.webSocket.close(code, reason);
    // A plain object (no stack): Hocuspocus drops the message and closes the connection.
    throw { code, reason };
  }

  /** Changes that did not come through beforeSync (other instances, the server itself). */
  async onChange({ document, transactionOrigin, update }: onChangePayload): Promise<void> {
    if (isTransactionOrigin(transactionOrigin) && transactionOrigin.source === 'connection') return;
    const room = this.rooms.get(document.name);
    if (room) room.bytes += update.byteLength;
  }

  async afterUnloadDocument({ documentName }: afterUnloadDocumentPayload): Promise<void> {
    this.rooms.delete(documentName);
  }

  private sizeOf(document: Document): RoomSize {
    let room = this.rooms.get(document.name);
    if (!room) {
      room = { bytes: 0, measuredAt: 0 };
      this.measure(document, room, performance.now());
      this.rooms.set(document.name, room);
    }
    return room;
  }

  private measure(document: Document, room: RoomSize, now: number): void {
    room.bytes = Y.encodeStateAsUpdate(document).byteLength;
    room.measuredAt = now;
  }
}

/**
 * Whether applying `update` could make the document bigger: it has structs the
 * document lacks (new content, or content waiting for missing dependencies), or
 * deletes what the document does not have yet (kept as a pending delete set).
 */
function grows(document: Document, update: Uint8Array): boolean {
  const known = Y.decodeStateVector(Y.encodeStateVector(document));
  const { structs, ds } = Y.decodeUpdate(update);
  for (const struct of structs) {
    if (struct instanceof Y.Skip) continue;
    if (struct.id.clock + struct.length > (known.get(struct.id.client) ?? 0)) return true;
  }
  for (const [client, deletions] of ds.clients) {
    const have = known.get(client) ?? 0;
    for (const deletion of deletions) if (deletion.clock + deletion.len > have) return true;
  }
  return false;
}
