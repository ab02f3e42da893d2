import { RoomUpdatedEvents } from '../../extensions/room-updated-events.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { WebhookDispatcher } from './dispatcher.ts';
import { type Executor, WebhookStore, type WebhookEvent } from './webhook-store.ts';

export { WEBHOOK_EVENTS, WebhookStore, toDeliveryView, toWebhookView, type WebhookEvent } from './webhook-store.ts';
export { checkWebhookUrl, ForbiddenUrlError } from './address-guard.ts';
export { newWebhookSecret, signWebhook } from './signature.ts';

/** Webhooks of one instance: subscriptions and outbox, the dispatcher, the room.updated extension. */
export interface Webhooks {
  store: WebhookStore;
  dispatcher: WebhookDispatcher;
  roomUpdated: RoomUpdatedEvents;
  /** Production refuses private addresses (unless WEBHOOK_ALLOW_PRIVATE). */
  blockPrivate: boolean;
  /**
   * Queues an event for the room's subscribers inside `tx`, the transaction of the
   * change it reports; call `kick()` after it commits.
   */
  enqueue(tx: Executor, roomId: string, type: WebhookEvent, data: unknown): Promise<number>;
  /** Queues an event on its own (no transaction to join) and starts delivering it. */
  emit(roomId: string, type: WebhookEvent, data: unknown): Promise<void>;
  kick(): void;
  start(): void;
  stop(): Promise<void>;
}

/** Wires the webhook parts from the configuration. */
export function createWebhooks(deps: { config: Pick<Config, 'webhooks'>; db: Db; metrics: Metrics; log: Logger }): Webhooks {
  const { webhooks: settings } = deps.config;
  const log = deps.log.child({ component: 'webhooks' });
  const store = new WebhookStore(deps.db);
  const dispatcher = new WebhookDispatcher({
    store,
    metrics: deps.metrics,
    log,
    blockPrivate: settings.blockPrivate,
    timeoutMs: settings.timeoutMs,
    retryBaseMs: settings.retryBaseMs,
    pollMs: settings.pollMs,
  });
  const roomUpdated = new RoomUpdatedEvents({
    debounceMs: settings.debounceMs,
    log,
    enqueue: async (roomId) => {
      if ((await store.enqueueRoomUpdated(roomId, settings.debounceMs)) > 0) dispatcher.kick();
    },
  });
  return {
    store,
    dispatcher,
    roomUpdated,
    blockPrivate: settings.blockPrivate,
    enqueue: (tx, roomId, type, data) => store.enqueue(tx, roomId, type, data),
    emit: async (roomId, type, data) => {
      if ((await store.enqueue(deps.db, roomId, type, data)) > 0) dispatcher.kick();
    },
    kick: () => dispatcher.kick(),
    start: () => dispatcher.start(),
    stop: () => dispatcher.stop(),
  };
}
