import { isTransactionOrigin, type beforeSyncPayload, type Document, type Extension, type onChangePayload } from '@hocuspocus/server';
import { messageYjsSyncStep1 } from 'y-protocols/sync';
import * as Y from 'yjs';
import { RoomState, type RoomStates } from '../src/documents/room-state.ts';
import { logSecurityEvent, type Logger } from '../src/log.ts';
import type { Metrics } from '../src/metrics.ts';
import { CloseCodes } from '../src/protocol/close-codes.ts';
import type { ConnectionContext } from '../src/ws/context.ts';

export interface LimitsConfiguration {
  /** Largest encoded document a room may grow to. @default 33_554_432 (32 MiB) */
  maxDocumentBytes: number;
  /** Per-room state: its size bound is what this extension keeps and checks. */
  rooms: RoomStates;
  /** Shortest time between two exact measurements of a room at its limit. @default 1000 (ms) */
  remeasureMs?: number;
  metrics: Metrics;
  log: Logger;
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

  constructor(configuration: LimitsConfiguration) {
    this.configuration = configuration;
  }

  async beforeSync({ type, payload, document, documentName, context, connection }: beforeSyncPayload<ConnectionContext>): Promise<void> {
    if (type === messageYjsSyncStep1 || connection.readOnly) return; // viewers' updates are never applied
    const { maxDocumentBytes } = this.configuration;
    const room = this.sizeOf(document);
    if (room.bytesBound + payload.byteLength <= maxDocumentBytes) {
      room.grew(payload.byteLength);
      return;
    }
    if (performance.now() - room.measuredAt >= (this.configuration.remeasureMs ?? 1000)) measure(document, room);
    if (room.bytesBound + payload.byteLength <= maxDocumentBytes || !grows(document, payload)) {
      room.grew(payload.byteLength);
      return;
    }
    const { code, reason } = CloseCodes.documentTooLarge;
    this.configuration.metrics.messagesRejected.inc({ reason });
    logSecurityEvent(this.configuration.log, {
      type: 'document-too-large',
      reason: `${room.bytesBound} + ${payload.byteLength} bytes > ${maxDocumentBytes}`,
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
    this.configuration.rooms.get(document)?.grew(update.byteLength);
  }

  /**
   * The room's size state; measured exactly the first time this extension looks at it.
   * A document without per-room state (not loaded through onLoadDocument, or unloaded
   * since) is measured for this message only: per-room state is created at load and
   * dropped at unload (`RoomStates`), never here, so a late message cannot bring it back.
   */
  private sizeOf(document: Document): RoomState {
    const room = this.configuration.rooms.get(document);
    if (!room) {
      const detached = new RoomState(document);
      measure(document, detached);
      return detached;
    }
    if (room.measuredAt === 0) measure(document, room);
    return room;
  }
}

function measure(document: Document, room: RoomState): void {
  room.measured(Y.encodeStateAsUpdate(document).byteLength);
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
