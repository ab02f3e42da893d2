import { openProvider, putRecord, type TestProvider } from '../helpers/provider.ts';

/**
 * A browser tab on one instance that writes records and knows exactly which of them
 * are acknowledged: a write counts once the provider's unsyncedChanges is back to 0
 * after it (the server's sync-status reply, sent only after the durable append).
 */
export class TrackedClient {
  readonly instance: number;
  readonly acknowledged = new Set<string>();
  private readonly opened: TestProvider;
  private readonly roomId: string;
  /** Written, not yet acknowledged. */
  private pending: string[] = [];
  private closed = false;

  constructor(wsUrl: string, instance: number, roomId: string, token: string) {
    this.instance = instance;
    this.roomId = roomId;
    this.opened = openProvider(wsUrl, roomId, token);
    this.opened.provider.on('unsyncedChanges', ({ number }: { number: number }) => {
      if (number !== 0 || this.closed) return;
      for (const id of this.pending) this.acknowledged.add(id);
      this.pending = [];
    });
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  write(id: string, value: Record<string, unknown>): void {
    if (this.closed) throw new Error('write on a closed client');
    // Pending first: putRecord sends at once, and an acknowledgement cannot overtake it.
    this.pending.push(id);
    putRecord(this.opened.doc, this.roomId, id, value);
  }

  disconnect(): void {
    this.opened.provider.configuration.websocketProvider.disconnect();
  }

  reconnect(): void {
    void this.opened.provider.configuration.websocketProvider.connect();
  }

  /** The tab closes: what it has not got acknowledged is gone with it. */
  close(): void {
    this.closed = true;
    this.opened.destroy();
  }
}
