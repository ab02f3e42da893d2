import type { beforeSyncPayload, Connection, Extension, Hocuspocus, onConfigurePayload } from '@hocuspocus/server';
import * as encoding from 'lib0/encoding';
import type { DocumentSizes } from '../src/documents/document-sizes.ts';
import type { LoggedSeqs } from '../src/documents/logged-seqs.ts';
import type { UpdateLog } from '../src/documents/update-log.ts';
import type { Logger } from '../src/log.ts';
import type { Metrics } from '../src/metrics.ts';
import { CloseCodes } from '../src/ws/context.ts';

export interface DurableLogConfiguration {
  updates: UpdateLog;
  logged: LoggedSeqs;
  sizes: DocumentSizes;
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

const SYNC_STEP_2 = 1;
const SYNC_UPDATE = 2;
const MESSAGE_SYNC_STATUS = 8;

/**
 * Nothing acknowledged is ever lost. Each update a client sends is appended to the
 * durable log (group commit) as Hocuspocus applies and broadcasts it; the sync-status
 * reply that acknowledges it to its sender is held back until that append has
 * committed. Broadcasting never waits for the database; only the sender's
 * acknowledgement does. If the append fails for good, the socket is closed and the
 * client, which still counts the change as unsynced, sends it again on reconnect.
 */
export class DurableLog implements Extension {
  extensionName = 'scrible-durable-log';
  private readonly configuration: DurableLogConfiguration;
  /** Per connection: its appends so far, chained so acknowledgements keep their order. */
  private readonly appends = new WeakMap<Connection, Promise<unknown>>();
  private readonly loggedBytes = new Map<string, number>();
  private instance: Hocuspocus | undefined;

  constructor(configuration: Omit<DurableLogConfiguration, 'compactAtLogRatio' | 'compactMinBytes'> & Partial<DurableLogConfiguration>) {
    this.configuration = { compactAtLogRatio: 1.5, compactMinBytes: 32_768, ...configuration };
  }

  async onConfigure({ instance }: onConfigurePayload): Promise<void> {
    this.instance = instance;
  }

  async beforeSync({ connection, documentName, type, payload }: beforeSyncPayload): Promise<void> {
    if ((type !== SYNC_STEP_2 && type !== SYNC_UPDATE) || connection.readOnly || isEmptyUpdate(payload)) return;
    if (!this.appends.has(connection)) this.holdAcknowledgements(connection);

    const { updates, logged, metrics } = this.configuration;
    // A copy: the frame's buffer belongs to the socket layer, the insert runs later.
    const update = Uint8Array.prototype.slice.call(payload);
    const started = performance.now();
    const append = updates.append(documentName, update).then((seq) => {
      metrics.logAppendSeconds.observe((performance.now() - started) / 1000);
      // By now Hocuspocus has applied the update (it did so right after this hook,
      // while the insert was in flight), so the document contains this row.
      if (seq !== undefined) logged.add(documentName, seq);
      this.compactIfLogLarge(documentName, update.byteLength);
    });
    const chain = (this.appends.get(connection) ?? Promise.resolve()).then(() => append);
    this.appends.set(connection, chain);
    chain.catch((error: unknown) => {
      this.configuration.log.error(
        { err: error, roomId: documentName },
        'update could not be made durable; closing the connection so the client resends it',
      );
      // The client keeps its unacknowledged changes and sends them again on reconnect.
      const { code, reason } = CloseCodes.storageUnavailable;
      metrics.messagesRejected.inc({ reason });
      connection.webSocket.close(code, reason);
    });
  }

  async afterUnloadDocument({ documentName }: { documentName: string }): Promise<void> {
    this.loggedBytes.delete(documentName);
  }

  /** Snapshot now (which compacts the log) once the log has grown large against the document. */
  private compactIfLogLarge(documentName: string, bytes: number): void {
    const total = (this.loggedBytes.get(documentName) ?? 0) + bytes;
    const { compactAtLogRatio, compactMinBytes, sizes } = this.configuration;
    if (total < compactMinBytes || total < compactAtLogRatio * sizes.lastMeasured(documentName)) {
      this.loggedBytes.set(documentName, total);
      return;
    }
    const debounceId = `onStoreDocument-${documentName}`;
    // No store pending (one is running): keep counting, and the next append asks again.
    if (!this.instance?.debouncer.isDebounced(debounceId)) {
      this.loggedBytes.set(documentName, total);
      return;
    }
    this.loggedBytes.set(documentName, 0);
    this.instance.debouncer.executeNow(debounceId);
  }

  /**
   * Wraps the connection's `send` so sync-status frames wait for this connection's
   * pending appends. Recognised by their fixed prefix (address, type 8), compared
   * byte for byte: no decoding or allocation per outgoing frame.
   */
  private holdAcknowledgements(connection: Connection): void {
    this.appends.set(connection, Promise.resolve());
    const prefix = encoding.encode((encoder) => {
      encoding.writeVarString(encoder, connection.messageAddress);
      encoding.writeVarUint(encoder, MESSAGE_SYNC_STATUS);
    });
    const send = connection.send.bind(connection);
    connection.send = (message: Uint8Array) => {
      if (!startsWith(message, prefix)) return send(message);
      this.appends.get(connection)!.then(
        () => send(message),
        () => {}, // not stored: no acknowledgement; the socket is being closed
      );
    };
  }
}

function isEmptyUpdate(update: Uint8Array): boolean {
  return update.byteLength === 2 && update[0] === 0 && update[1] === 0;
}

function startsWith(message: Uint8Array, prefix: Uint8Array): boolean {
  if (message.byteLength < prefix.byteLength) return false;
  for (let i = 0; i < prefix.byteLength; i++) if (message[i] !== prefix[i]) return false;
  return true;
}
