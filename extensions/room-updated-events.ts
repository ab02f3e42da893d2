import { isTransactionOrigin, type Extension, type onChangePayload } from '@hocuspocus/server';
import type { Logger } from '../src/log.ts';

export interface RoomUpdatedEventsConfiguration {
  /** Queues the event (in the outbox) for a room's subscribers. */
  enqueue: (roomId: string) => Promise<unknown>;
  /** At most one event per room per this many ms, sent this long after the first change. @default 5000 */
  debounceMs: number;
  log: Logger;
}

/**
 * Turns document changes into `room.updated` webhook events, at most one per room
 * per `debounceMs`. Only changes this instance received count (not those relayed
 * from other instances through Redis), and the outbox query itself skips rooms that
 * had an event within the window, so instances sharing a room send one between them.
 */
export class RoomUpdatedEvents implements Extension {
  extensionName = 'scrible-room-updated-events';
  private readonly configuration: RoomUpdatedEventsConfiguration;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(configuration: Pick<RoomUpdatedEventsConfiguration, 'enqueue' | 'log'> & Partial<RoomUpdatedEventsConfiguration>) {
    this.configuration = { debounceMs: 5_000, ...configuration };
  }

  async onChange({ documentName, transactionOrigin }: onChangePayload): Promise<void> {
    if (isTransactionOrigin(transactionOrigin) && transactionOrigin.source === 'redis') return;
    if (this.timers.has(documentName)) return;
    const timer = setTimeout(() => this.fire(documentName), this.configuration.debounceMs);
    this.timers.set(documentName, timer);
  }

  /** True while an event is waiting for its debounce or being queued (tests wait for this). */
  get busy(): boolean {
    return this.timers.size > 0 || this.inFlight.size > 0;
  }

  async onDestroy(): Promise<void> {
    // Pending events are queued now rather than lost with the process.
    for (const documentName of [...this.timers.keys()]) this.fire(documentName);
    await Promise.all(this.inFlight);
  }

  private fire(documentName: string): void {
    clearTimeout(this.timers.get(documentName));
    this.timers.delete(documentName);
    const queued = this.configuration
      .enqueue(documentName)
      .catch((error: unknown) => this.configuration.log.warn({ err: error, roomId: documentName }, 'webhooks: queuing room.updated failed'))
      .finally(() => this.inFlight.delete(queued));
    this.inFlight.add(queued);
  }
}
