import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import { postWebhook } from './post.ts';
import { signWebhook } from './signature.ts';
import type { ClaimedDelivery, WebhookStore } from './webhook-store.ts';

export interface DispatcherConfiguration {
  store: WebhookStore;
  metrics: Metrics;
  log: Logger;
  /** One attempt's deadline. @default 10000 (ms) */
  timeoutMs: number;
  /** First retry delay; doubled per attempt up to `maxRetryDelayMs`, ±50 % jitter. @default 5000 (ms) */
  retryBaseMs: number;
  /** @default 3600000 (ms) */
  maxRetryDelayMs: number;
  /** Retries stop this long after the event was queued. @default 86400000 (24 h) */
  retryForMs: number;
  /** Idle poll interval. @default 1000 (ms) */
  pollMs: number;
  /** Deliveries attempted at once by this instance. @default 8 */
  batchSize: number;
  blockPrivate: boolean;
}

/** How often the backlog gauge is refreshed. */
const BACKLOG_REFRESH_MS = 15_000;

/**
 * Delivers the outbox: claims due rows (any instance may, `SKIP LOCKED`), POSTs
 * each signed, and records the outcome; a failure is retried with exponential
 * backoff and jitter until 24 h after the event. Everything lives in the table, so
 * a restart only pauses delivery.
 */
export class WebhookDispatcher {
  private readonly configuration: DispatcherConfiguration;
  private timer: NodeJS.Timeout | undefined;
  private backlogTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    configuration: Pick<DispatcherConfiguration, 'store' | 'metrics' | 'log' | 'blockPrivate'> & Partial<DispatcherConfiguration>,
  ) {
    this.configuration = {
      timeoutMs: 10_000,
      retryBaseMs: 5_000,
      maxRetryDelayMs: 3_600_000,
      retryForMs: 86_400_000,
      pollMs: 1_000,
      batchSize: 8,
      ...configuration,
    };
  }

  start(): void {
    this.stopped = false;
    this.kick();
    this.backlogTimer = setInterval(() => void this.refreshBacklog(), BACKLOG_REFRESH_MS);
    this.backlogTimer.unref();
    void this.refreshBacklog();
  }

  /** Looks for due deliveries now (after an event was queued) rather than at the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.kick();
        return;
      }
      this.timer = setTimeout(() => this.kick(), this.configuration.pollMs);
    });
  }

  /** Stops claiming; attempts in flight finish (at most one timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.backlogTimer);
    await this.running;
  }

  private async drain(): Promise<void> {
    const { store, log, batchSize, timeoutMs } = this.configuration;
    try {
      for (;;) {
        // The lease outlasts the attempt's deadline, so no other instance retakes it meanwhile.
        const claimed = await store.claim(batchSize, timeoutMs + 30_000);
        if (claimed.length === 0) return;
        await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
        if (this.stopped) return;
      }
    } catch (error) {
      log.warn({ err: error }, 'webhooks: looking for due deliveries failed; will retry');
    }
  }

  private async attempt(delivery: ClaimedDelivery): Promise<void> {
    const { store, metrics, log, timeoutMs, blockPrivate } = this.configuration;
    const timestamp = Math.floor(Date.now() / 1000);
    const result = await postWebhook(delivery.url, {
      body: delivery.body,
      timeoutMs,
      blockPrivate,
      headers: {
        'webhook-id': delivery.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(delivery.secret, delivery.id, timestamp, delivery.body),
      },
    });
    const ok = result.statusCode !== undefined && result.statusCode >= 200 && result.statusCode < 300 && !result.error;
    try {
      if (ok) {
        await store.delivered(delivery.id, result.statusCode!);
        metrics.webhookDeliveries.inc({ status: 'delivered' });
        metrics.webhookLagSeconds.observe((Date.now() - new Date(delivery.createdAt).getTime()) / 1000);
        return;
      }
      const next = this.nextAttemptAt(delivery);
      await store.attemptFailed(delivery.id, result, next);
      metrics.webhookDeliveries.inc({ status: next ? 'retry' : 'failed' });
      log[next ? 'info' : 'warn'](
        {
          deliveryId: delivery.id,
          attempt: delivery.attempts,
          statusCode: result.statusCode,
          err: result.error,
          retryAt: next?.toISOString(),
        },
        next ? 'webhook attempt failed; will retry' : 'webhook delivery failed for 24 h; giving up',
      );
    } catch (error) {
      // The lease runs out and the delivery is attempted again: at least once.
      log.warn({ err: error, deliveryId: delivery.id }, 'webhooks: could not record an attempt');
    }
  }

  /** Exponential backoff with ±50 % jitter; undefined once the retry window has passed. */
  private nextAttemptAt(delivery: ClaimedDelivery): Date | undefined {
    const { retryBaseMs, maxRetryDelayMs, retryForMs } = this.configuration;
    const exponential = Math.min(maxRetryDelayMs, retryBaseMs * 2 ** Math.min(delivery.attempts - 1, 30));
    const delay = exponential * (0.5 + Math.random());
    const at = Date.now() + delay;
    return at - new Date(delivery.createdAt).getTime() > retryForMs ? undefined : new Date(at);
  }

  private async refreshBacklog(): Promise<void> {
    try {
      this.configuration.metrics.webhookOldestPendingSeconds.set(await this.configuration.store.oldestPendingSeconds());
    } catch (error) {
      this.configuration.log.debug({ err: error }, 'webhooks: backlog query failed');
    }
  }
}
