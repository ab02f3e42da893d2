import type { connectedPayload, Extension, onDisconnectPayload } from '@hocuspocus/server';
import type { Logger } from '../src/log.ts';
import type { OnlineRegistry } from '../src/presence/online-registry.ts';
import type { JoinRecorder } from '../src/rooms/join-recorder.ts';
import type { ConnectionContext } from '../src/ws/context.ts';

export interface PresenceConfiguration {
  joins: JoinRecorder;
  online: OnlineRegistry;
  log: Logger;
}

/**
 * Keeps who-is-online for REST (`GET /api/rooms/:id`) and the join/leave history
 * in `room_participants` plus `rooms.last_active`. Bookkeeping failures are logged,
 * never allowed to break a connection.
 */
export class Presence implements Extension {
  extensionName = 'scrible-presence';
  private readonly configuration: PresenceConfiguration;
  /** Participant row per session, so the leave updates the right row. */
  private readonly participants = new Map<string, Promise<string | undefined>>();

  constructor(configuration: PresenceConfiguration) {
    this.configuration = configuration;
  }

  async connected({ documentName, socketId, context }: connectedPayload<ConnectionContext>): Promise<void> {
    const { joins, online, log } = this.configuration;
    const key = `${socketId}\0${documentName}`;
    // Batched with the other joins of this moment, not waited for (never rejects).
    this.participants.set(
      key,
      joins.join({
        roomId: documentName,
        user: { id: context.user.id, name: context.user.name, ...context.profile },
        clientId: socketId,
        role: context.role,
      }),
    );
    await online.add(documentName, socketId, { id: context.user.id, name: context.user.name }).catch((error: unknown) => {
      log.warn({ err: error, roomId: documentName }, 'could not record presence');
    });
  }

  async onDestroy(): Promise<void> {
    await this.configuration.joins.close();
  }

  async onDisconnect({ documentName, socketId }: onDisconnectPayload): Promise<void> {
    const { joins, online, log } = this.configuration;
    const key = `${socketId}\0${documentName}`;
    const participant = this.participants.get(key);
    this.participants.delete(key);
    await online.remove(documentName, socketId).catch((error: unknown) => {
      log.warn({ err: error, roomId: documentName }, 'could not clear presence');
    });
    const participantId = await participant;
    if (participantId) await joins.leave(participantId, documentName);
  }
}
