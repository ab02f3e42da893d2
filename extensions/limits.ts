import { type beforeHandleMessagePayload, type Extension, MessageType, type onChangePayload } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import type { RoomStates } from '../src/documents/room-state.ts';
import { logSecurityEvent, type Logger } from '../src/log.ts';
import type { Metrics } from '../src/metrics.ts';
import { CloseCodes } from '../src/protocol/close-codes.ts';
import type { ConnectionContext } from '../src/ws/context.ts';

export interface LimitsConfiguration {
  /** Largest encoded document a room may grow to. @default 33_554_432 (32 MiB) */
  maxDocumentBytes: number;
  /** Per-room state; its size bound is what this extension checks. */
  rooms: RoomStates;
  metrics: Metrics;
  log: Logger;
}

/**
 * Per-document limits Hocuspocus can see: refuses updates that would grow a room's
 * document past `maxDocumentBytes`. (Frame size and message rate are enforced on
 * the socket itself, before Hocuspocus parses anything.) Over a limit the whole
 * socket is closed with a 4xxx code; the room and other connections carry on.
 */
export class Limits implements Extension {
  extensionName = 'scrible-limits';
  priority = 900;
  private readonly configuration: LimitsConfiguration;

  constructor(configuration: LimitsConfiguration) {
    this.configuration = configuration;
  }

  async beforeHandleMessage({
    update,
    document,
    documentName,
    connection,
    context,
  }: beforeHandleMessagePayload<ConnectionContext>): Promise<void> {
    const { rooms, maxDocumentBytes } = this.configuration;
    if ((rooms.get(document)?.bytesBound ?? 0) + update.byteLength <= maxDocumentBytes) return;
    if (!isSyncMessage(update)) return;
    const { code, reason } = CloseCodes.documentTooLarge;
    this.configuration.metrics.messagesRejected.inc({ reason });
    logSecurityEvent(this.configuration.log, {
      type: 'message-rejected',
      reason,
      roomId: documentName,
      userId: context.user?.id,
      ip: context.ip,
    });
    connection.webSocket.close(code, reason);
    throw Object.assign(new Error(`document ${documentName} would exceed ${maxDocumentBytes} bytes`), { code, reason });
  }

  async onChange({ document, update }: onChangePayload): Promise<void> {
    this.configuration.rooms.get(document)?.grew(update.byteLength);
  }
}

function isSyncMessage(frame: Uint8Array): boolean {
  try {
    const decoder = decoding.createDecoder(frame);
    decoding.readVarString(decoder);
    return decoding.readVarUint(decoder) === MessageType.Sync;
  } catch {
    return false;
  }
}
