import type { beforeUnloadDocumentPayload, connectedPayload, Document, Extension, Hocuspocus } from '@hocuspocus/server';

export interface KeepLoadedConfiguration {
  /** How long a room stays in memory after its last client left. 0 turns this off. @default 0 (ms) */
  keepMs: number;
}

/**
 * Keeps a room loaded for `keepMs` after its last client leaves, so a reload, a
 * reconnect after a network blip or the next person opening the board does not load
 * and decode the whole document from the database again. Stores are unaffected: the
 * last client's leave still stores at once; only the unload is postponed.
 *
 * Works through the hook contract: a rejected `beforeUnloadDocument` cancels that
 * unload; the timer asks Hocuspocus again later, and a client who comes back in the
 * meantime simply finds the document loaded.
 */
export class KeepLoaded implements Extension {
  extensionName = 'scrible-keep-loaded';
  private readonly configuration: KeepLoadedConfiguration;
  private readonly kept = new Map<string, { timer: NodeJS.Timeout; document: Document; instance: Hocuspocus }>();
  /** Rooms whose keep time is over: their next unload goes ahead. */
  private readonly expired = new Set<string>();
  private releasing = false;

  constructor(configuration: Partial<KeepLoadedConfiguration> = {}) {
    this.configuration = { keepMs: 0, ...configuration };
  }

  async beforeUnloadDocument({ instance, documentName, document }: beforeUnloadDocumentPayload): Promise<void> {
    if (this.releasing || this.configuration.keepMs <= 0 || this.expired.delete(documentName)) return;
    if (!this.kept.has(documentName)) {
      const timer = setTimeout(() => {
        this.kept.delete(documentName);
        if (document.getConnectionsCount() > 0) return;
        this.expired.add(documentName);
        void instance.unloadDocument(document);
      }, this.configuration.keepMs);
      timer.unref();
      this.kept.set(documentName, { timer, document, instance });
    }
    // A plain object, not an Error: Hocuspocus cancels the unload without logging it.
    throw { reason: 'kept-loaded' };
  }

  async connected({ documentName }: connectedPayload): Promise<void> {
    const entry = this.kept.get(documentName);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.kept.delete(documentName);
  }

  /** Stops keeping rooms and unloads the kept ones now (shutdown). */
  release(): void {
    this.releasing = true;
    for (const { timer, document, instance } of this.kept.values()) {
      clearTimeout(timer);
      void instance.unloadDocument(document);
    }
    this.kept.clear();
  }

  async onDestroy(): Promise<void> {
    this.release();
  }
}
