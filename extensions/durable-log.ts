import {
  type beforeSyncPayload,
  type Connection,
  type Extension,
  type Hocuspocus,
  MessageType,
  type onConfigurePayload,
} from '@hocuspocus/server';
import * as encoding from 'lib0/encoding';
import { messageYjsSyncStep2, messageYjsUpdate } from 'y-protocols/sync';
import * as Y from 'yjs';
import type { RoomState, RoomStates } from '../src/documents/room-state.ts';
import type { UpdateLog } from '../src/documents/update-log.ts';
import type { Logger } from '../src/log.ts';
import type { Metrics } from '../src/metrics.ts';
import { CloseCodes } from '../src/protocol/close-codes.ts';

export interface DurableLogConfiguration {
  updates: UpdateLog;
  rooms: RoomStates;
  metrics: Metrics;
  log: Logger;
  /**
   * Snapshot early once a room's log holds this many times its document's size,
   * keeping storage per room bounded between compactions. The margin to 3×
   * covers the log growing while that snapshot is written. @default 1.5
   */
  compactAtLogRatio: number;
  /** Below this many logged bytes a room is never snapshotted early. @default 32768 */
  compactMinBytes: number;
}

/** One connection's appends: `tail` settles (never rejects) once all so far have. */
interface ConnectionAppends {
  tail: Promise<void>;
  /** An append failed for good: nothing more is acknowledged, the socket is closing. */
  failed: boolean;
}

/**
 * Nothing acknowledged is ever lost. Each update a client sends is appended to the
 * durable log (group commit) as Hocuspocus applies and broadcasts it; the sync-status
 * reply that acknowledges it to its sender is held back until that append (and every
 * earlier one of the connection) has committed. Broadcasting never waits for the
 * database; only the sender's acknowledgement does.
 *
 * An update Yjs cannot integrate yet (it continues a client's changes the server has
 * not seen: after a reconnect, a client's new edits may arrive before the resend of
 * the ones an instance crash lost) is logged but not acknowledged until what it
 * depends on has arrived: stored bytes that cannot be loaded are not saved.
 *
 * Failures are handled once per connection: the first append that fails for good
 * logs, counts and closes the socket with 4503; the client, which still counts its
 * changes as unsynced, sends them again on reconnect. When the append queue is full
 * an update is refused before it is applied (closed with 4503 `storage-busy`).
 */
export class DurableLog implements Extension {
  extensionName = 'scrible-durable-log';
  private readonly configuration: DurableLogConfiguration;
  private readonly appends = new WeakMap<Connection, ConnectionAppends>();
  private instance: Hocuspocus | undefined;

  constructor(configuration: Omit<DurableLogConfiguration, 'compactAtLogRatio' | 'compactMinBytes'> & Partial<DurableLogConfiguration>) {
    this.configuration = { compactAtLogRatio: 1.5, compactMinBytes: 32_768, ...configuration };
  }

  async onConfigure({ instance }: onConfigurePayload): Promise<void> {
    this.instance = instance;
  }

  async beforeSync({ connection, document, documentName, type, payload }: beforeSyncPayload): Promise<void> {
    if ((type !== messageYjsSyncStep2 && type !== messageYjsUpdate) || connection.readOnly) return;
    const room = this.configuration.rooms.get(document);
    // Even for an empty update: its acknowledgement too must wait while the room holds them.
    const appends = this.appends.get(connection) ?? this.holdAcknowledgements(connection, room);
    if (isEmptyUpdate(payload)) return;
    const { updates, metrics } = this.configuration;
    // Refused before Hocuspocus applies it: the client keeps it and resends it later.
    if (appends.failed) throw refusal(CloseCodes.storageUnavailable);
    if (!updates.hasRoomFor(payload.byteLength)) {
      const { code, reason } = CloseCodes.storageBusy;
      metrics.messagesRejected.inc({ reason });
      this.configuration.log.warn({ roomId: documentName }, 'append queue full; refusing the update and closing the connection');
      connection.webSocket.close(code, reason);
      throw refusal(CloseCodes.storageBusy);
    }

    // A copy: the frame's buffer belongs to the socket layer, the insert runs later.
    const update = Uint8Array.prototype.slice.call(payload);
    const started = performance.now();
    const appended = updates.append(documentName, update).then(
      () => {
        metrics.logAppendSeconds.observe((performance.now() - started) / 1000);
        if (room) this.compactIfLogLarge(room, update.byteLength);
      },
      (error: unknown) => this.fail(connection, appends, room, error),
    );
    room?.trackAppend(appended);
    appends.tail = Promise.all([appends.tail, appended, integrated(document, update)]).then(() => undefined);
  }

  /** The first failure of a connection closes it; later ones are already covered. */
  private fail(connection: Connection, appends: ConnectionAppends, room: RoomState | undefined, error: unknown): void {
    if (room) this.holdRoomUntilStored(room);
    if (appends.failed) return;
    appends.failed = true;
    this.configuration.log.error(
      { err: error, roomId: connection.document.name },
      'update could not be made durable; closing the connection so the client resends it',
    );
    const { code, reason } = CloseCodes.storageUnavailable;
    this.configuration.metrics.messagesRejected.inc({ reason });
    connection.webSocket.close(code, reason);
  }

  /**
   * The failed update is in the live document but not in the log: no one in the
   * room is acknowledged until a store has written it (see RoomState), and a store
   * is asked for now.
   */
  private holdRoomUntilStored(room: RoomState): void {
    room.holdAcknowledgements();
    const document = room.document;
    if (!this.instance || this.instance.documents.get(document.name) !== document) return;
    void this.instance.storeDocumentHooks(
      document,
      {
        instance: this.instance,
        clientsCount: document.getConnectionsCount(),
        document,
        documentName: document.name,
        lastContext: {},
        lastTransactionOrigin: undefined,
      },
      true,
    );
  }

  /** Snapshot now (which compacts the log) once the log has grown large against the document. */
  private compactIfLogLarge(room: RoomState, bytes: number): void {
    room.loggedBytes += bytes;
    const { compactAtLogRatio, compactMinBytes } = this.configuration;
    if (room.loggedBytes < compactMinBytes || room.loggedBytes < compactAtLogRatio * room.lastMeasuredBytes) return;
    const debounceId = `onStoreDocument-${room.document.name}`;
    // No store pending (one is running): keep counting, and the next append asks again.
    if (!this.instance?.debouncer.isDebounced(debounceId)) return;
    room.loggedBytes = 0;
    this.instance.debouncer.executeNow(debounceId);
  }

  /**
   * Wraps the connection's `send` so sync-status frames wait for this connection's
   * pending appends. Recognised by their fixed prefix (address, type 8), compared
   * byte for byte: no decoding or allocation per outgoing frame.
   */
  private holdAcknowledgements(connection: Connection, room: RoomState | undefined): ConnectionAppends {
    const appends: ConnectionAppends = { tail: Promise.resolve(), failed: false };
    this.appends.set(connection, appends);
    const prefix = encoding.encode((encoder) => {
      encoding.writeVarString(encoder, connection.messageAddress);
      encoding.writeVarUint(encoder, MessageType.SyncStatus);
    });
    const send = connection.send.bind(connection);
    connection.send = (message: Uint8Array) => {
      if (!startsWith(message, prefix)) return send(message);
      // Not stored: no acknowledgement; the socket is being closed.
      void appends.tail.then(async () => {
        // Usually undefined: only after a failed append in the room (see holdRoomUntilStored).
        const held = room?.acknowledgeable;
        if (held) await held;
        if (!appends.failed) send(message);
      });
    };
    return appends;
  }
}

/** An error Hocuspocus turns into closing this connection with the code and reason. */
function refusal({ code, reason }: { code: number; reason: string }): Error {
  return Object.assign(new Error(`update refused: ${reason}`), { code, reason });
}

/**
 * Resolves once the document holds everything `update` carries (its structs may wait
 * in Yjs's pending set for earlier changes of the same client). Checked after the
 * update is applied (Hocuspocus applies it in the microtasks right after `beforeSync`;
 * no hook after this one awaits I/O): almost always
 * nothing is pending and that is all; otherwise the update's end clocks are read and
 * checked on each change of the document. A document destroyed first never resolves
 * it: its connections are gone, nobody waits for the acknowledgement.
 */
function integrated(document: Y.Doc, update: Uint8Array): Promise<void> {
  return new Promise((resolve) => {
    setImmediate(() => {
      if (!document.store.pendingStructs) return resolve();
      let ends: Map<number, number>;
      try {
        ends = Y.parseUpdateMeta(update).to;
      } catch {
        // Undecodable: Hocuspocus refused it when applying it (and closes the socket).
        return resolve();
      }
      const check = () => {
        for (const [client, end] of ends) if (Y.getState(document.store, client) < end) return;
        document.off('update', check);
        resolve();
      };
      document.on('update', check);
      check();
    });
  });
}

function isEmptyUpdate(update: Uint8Array): boolean {
  return update.byteLength === 2 && update[0] === 0 && update[1] === 0;
}

function startsWith(message: Uint8Array, prefix: Uint8Array): boolean {
  if (message.byteLength < prefix.byteLength) return false;
  for (let i = 0; i < prefix.byteLength; i++) if (message[i] !== prefix[i]) return false;
  return true;
}
