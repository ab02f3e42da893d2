import type { Extension, onChangePayload } from '@hocuspocus/server';
import type { Metrics } from '../src/metrics.ts';

/**
 * Counts document updates as they are applied: one counter increment per change.
 * Gauges (connections, loaded documents) are read from Hocuspocus at scrape time
 * instead, so they cost nothing per message and can never drift.
 */
export class MetricsExtension implements Extension {
  extensionName = 'scrible-metrics';
  private readonly metrics: Metrics;

  constructor(metrics: Metrics) {
    this.metrics = metrics;
  }

  async onChange(_payload: onChangePayload): Promise<void> {
    this.metrics.updates.inc();
  }
}
