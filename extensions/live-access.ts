import {
  type Connection,
  type connectedPayload,
  type Extension,
  type Hocuspocus,
  type onConfigurePayload,
  OutgoingMessage,
} from '@hocuspocus/server';
import { logSecurityEvent, type Logger } from '../src/log.ts';
import { canWrite, currentRole, type Membership } from '../src/rooms/access.ts';
import type { AccessChanges } from '../src/rooms/access-changes.ts';
import type { RoomStore } from '../src/rooms/room-store.ts';
import { CloseCodes } from '../src/protocol/close-codes.ts';
import type { ConnectionContext } from '../src/ws/context.ts';

// Longer than any authentication takes (one or two indexed reads).
const RACE_WINDOW_MS = 5_000;

export interface LiveAccessConfiguration {
  changes: AccessChanges;
  rooms: Pick<RoomStore, 'get' | 'member'>;
  log: Logger;
}

/**
 * Applies access changes to live connections: when a room's access changes (on any
 * instance: `AccessChanges` carries it), every connection of that room here is
 * re-checked against the database. Whoever lost access is told `permission-denied`
 * (a deleted room: `room-not-found`) and detached; a member turned viewer becomes
 * read-only on the spot and keeps receiving; everyone else is left alone.
 */
export class LiveAccess implements Extension {
  extensionName = 'scrible-live-access';
  private readonly configuration: LiveAccessConfiguration;
  private instance: Hocuspocus | undefined;
  /** Re-checks per room run one after another, so an older answer never lands last. */
  private readonly running = new Map<string, Promise<void>>();
  /** When each room's access last changed, for connections that authenticated meanwhile. */
  private readonly lastChange = new Map<string, number>();

  constructor(configuration: LiveAccessConfiguration) {
    this.configuration = configuration;
    // Letting someone in takes nothing from anyone connected: no re-check.
    configuration.changes.subscribe((roomId, kind) => kind === 'access' && this.schedule(roomId));
  }

  async onConfigure({ instance }: onConfigurePayload): Promise<void> {
    this.instance = instance;
  }

  /**
   * A connection that authenticated while an access change was being made may have
   * read the database before it: re-check its room once more.
   */
  async connected({ documentName }: connectedPayload<ConnectionContext>): Promise<void> {
    const changedAt = this.lastChange.get(documentName);
    if (changedAt === undefined) return;
    if (performance.now() - changedAt < RACE_WINDOW_MS) this.enqueue(documentName);
    else this.lastChange.delete(documentName);
  }

  /** Resolves once every re-check asked for so far has finished (tests, shutdown). */
  async settled(): Promise<void> {
    await Promise.all(this.running.values());
  }

  private schedule(roomId: string): void {
    this.lastChange.set(roomId, performance.now());
    this.enqueue(roomId);
  }

  private enqueue(roomId: string): void {
    const previous = this.running.get(roomId) ?? Promise.resolve();
    const next = previous.then(() => this.recheck(roomId));
    this.running.set(roomId, next);
    void next.finally(() => {
      if (this.running.get(roomId) === next) this.running.delete(roomId);
    });
  }

  private async recheck(roomId: string): Promise<void> {
    const document = this.instance?.documents.get(roomId);
    if (!document || document.getConnectionsCount() === 0) return;
    const { rooms, log } = this.configuration;
    try {
      const room = await rooms.get(roomId);
      const members = new Map<string, Membership | undefined>();
      for (const connection of document.getConnections()) {
        const context = connection.context as Partial<ConnectionContext> | undefined;
        const userId = context?.user?.id;
        if (!context || !userId) continue;
        if (!room) {
          this.revoke(connection, context, roomId, CloseCodes.roomDeleted);
          continue;
        }
        if (!members.has(userId)) members.set(userId, await rooms.member(roomId, userId));
        const role = currentRole(room, userId, members.get(userId));
        if (role === 'permission-denied') {
          this.revoke(connection, context, roomId, CloseCodes.permissionDenied);
          continue;
        }
        const readOnly = !canWrite(role);
        context.role = role;
        if (connection.readOnly === readOnly) continue;
        // Hocuspocus checks this flag on every incoming update: from now on this
        // connection's changes are dropped (or accepted again), without a reconnect.
        connection.readOnly = readOnly;
        connection.send(new OutgoingMessage(connection.messageAddress).writeAuthenticated(readOnly).toUint8Array());
        log.info({ roomId, userId, role }, 'live connection role changed');
      }
    } catch (error) {
      // The database did not answer: connections stay as they are; the change still
      // holds for every new connection and token, which check the database themselves.
      log.warn({ err: error, roomId }, 'cannot re-check live access: database unavailable');
    }
  }

  private revoke(
    connection: Connection,
    context: Partial<ConnectionContext>,
    roomId: string,
    close: { code: number; reason: string },
  ): void {
    logSecurityEvent(this.configuration.log, {
      type: 'access-revoked',
      roomId,
      reason: close.reason,
      ...(context.user ? { userId: context.user.id } : {}),
      ...(context.ip ? { ip: context.ip } : {}),
    });
    // The provider hears it as `authenticationFailed` (the reason a refused token
    // gives) and then as a close of the document with the same reason.
    connection.send(new OutgoingMessage(connection.messageAddress).writePermissionDenied(close.reason).toUint8Array());
    connection.close(close);
  }
}
