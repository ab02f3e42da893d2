import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus metrics of one server (API.md names). A registry per server, not
 * prom-client's global one, so two servers in one test process do not share counts.
 * prom-client: the de-facto Prometheus client for Node, with the text format and
 * process metrics (memory, event-loop lag) built in.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly connections: Gauge;
  readonly documentsLoaded: Gauge;
  readonly documentBytes: Histogram;
  readonly updates: Counter;
  readonly messagesRejected: Counter<'reason'>;
  readonly authFailures: Counter<'reason'>;
  readonly snapshotWrites: Counter<'result'>;
  readonly exports: Counter<'format' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  readonly logAppendSeconds: Histogram;
  readonly redisCommandSeconds: Histogram;
  readonly quarantined: Counter<'kind'>;
  readonly webhookDeliveries: Counter<'status'>;
  readonly webhookLagSeconds: Histogram;
  readonly webhookOldestPendingSeconds: Gauge;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.connections = new Gauge({ name: 'scrible_connections', help: 'Open document connections', registers });
    this.documentsLoaded = new Gauge({ name: 'scrible_documents_loaded', help: 'Documents held in memory', registers });
    this.documentBytes = new Histogram({
      name: 'scrible_document_bytes',
      help: 'Encoded size of documents when stored',
      buckets: [1e3, 1e4, 1e5, 1e6, 4e6, 16e6, 32e6],
      registers,
    });
    this.updates = new Counter({ name: 'scrible_updates_total', help: 'Document updates applied', registers });
    this.messagesRejected = new Counter({
      name: 'scrible_messages_rejected_total',
      help: 'WebSocket messages or connections refused by a limit',
      labelNames: ['reason'],
      registers,
    });
    this.authFailures = new Counter({
      name: 'scrible_auth_failures_total',
      help: 'Refused authentications',
      labelNames: ['reason'],
      registers,
    });
    this.snapshotWrites = new Counter({
      name: 'scrible_snapshot_writes_total',
      help: 'Snapshot stores by result',
      labelNames: ['result'],
      registers,
    });
    this.exports = new Counter({
      name: 'scrible_exports_total',
      help: 'Export jobs by format and final status',
      labelNames: ['format', 'status'],
      registers,
    });
    this.httpDuration = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'REST request duration',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.logAppendSeconds = new Histogram({
      name: 'scrible_log_append_seconds',
      help: 'Time from receiving an update to its durable append (what the sender waits for its acknowledgement)',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.redisCommandSeconds = new Histogram({
      name: 'scrible_redis_command_duration_seconds',
      help: 'Round trip of Redis commands this instance times (presence heartbeats, readiness pings)',
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers,
    });
    this.quarantined = new Counter({
      name: 'scrible_quarantined_total',
      help: 'Stored data Yjs could not decode, moved to quarantined_data (kind: update or snapshot)',
      labelNames: ['kind'],
      registers,
    });
    this.webhookDeliveries = new Counter({
      name: 'scrible_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome: delivered, retry (will try again), failed (gave up after 24 h)',
      labelNames: ['status'],
      registers,
    });
    this.webhookLagSeconds = new Histogram({
      name: 'scrible_webhook_delivery_lag_seconds',
      help: 'Time from an event entering the outbox to its successful delivery',
      buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800, 3600, 21600, 86400],
      registers,
    });
    this.webhookOldestPendingSeconds = new Gauge({
      name: 'scrible_webhook_oldest_pending_seconds',
      help: 'Age of the oldest webhook delivery still waiting in the outbox (0: none); the same on every instance',
      registers,
    });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'scrible_' });
  }
}
