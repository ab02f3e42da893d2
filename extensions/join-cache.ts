import type { afterLoadDocumentPayload, Document, Extension } from '@hocuspocus/server';
import { FullStateCache } from '../src/documents/full-state-cache.ts';
import type { RoomStates } from '../src/documents/room-state.ts';

export interface JoinCacheConfiguration {
  /** Where persistence leaves a loaded document's stored full state, to be sent as it is. */
  rooms?: RoomStates;
}

/**
 * Join storms: Hocuspocus answers every client's SyncStep1 with
 * `Y.encodeStateAsUpdate(document, stateVector)`, so 100 people opening a 4 MB board
 * at once encode it 100 times (about 30 ms each, one after the other). With this
 * extension each loaded document answers from a `FullStateCache`: joiners with an
 * empty state vector share one encoding per document version; everyone else is
 * answered exactly as before.
 *
 * Why a patch (patches/@hocuspocus+server+4.7.0.patch) and not a hook: no Hocuspocus
 * hook can change the SyncStep2 reply (beforeSync may only throw, which closes the
 * connection), and answering SyncStep1 in our socket layer would bypass Hocuspocus's
 * per-connection queue, its authentication wait and the beforeSync hooks. The patch is
 * one optional seam in MessageReceiver (`document.answerSyncStep1`: y-protocols'
 * readSyncStep1 contract, or the whole reply returned, which Hocuspocus then sends as
 * it is); the cache itself is ours, typed and tested. Joiners of a room share one
 * reply frame, so a 4 MB board is neither encoded nor copied per joiner. Viewers and
 * editors get the same bytes they got before, so read-only connections behave exactly
 * as they did.
 *
 * Memory: at most one encoding per loaded document, dropped when the document changes
 * and when the document is destroyed (Hocuspocus unloads it).
 */
export class JoinCache implements Extension {
  extensionName = 'scrible-join-cache';
  /** Each loaded document's cache, per server (tests look at it through `cacheOf`). */
  private readonly caches = new WeakMap<Document, FullStateCache>();
  private readonly configuration: JoinCacheConfiguration;

  constructor(configuration: JoinCacheConfiguration = {}) {
    this.configuration = configuration;
  }

  cacheOf(document: Document): FullStateCache | undefined {
    return this.caches.get(document);
  }

  async afterLoadDocument({ document }: afterLoadDocumentPayload): Promise<void> {
    const cache = new FullStateCache(document);
    this.caches.set(document, cache);
    // Loaded from one snapshot: its bytes are the full state, no need to encode it
    // for the first joiner (a cold 5 MB board: tens of ms).
    const loaded = this.configuration.rooms?.get(document)?.takeLoadedState();
    if (loaded) cache.seed(loaded);
    document.answerSyncStep1 = (decoder, encoder) => cache.answerSyncStep1(decoder, encoder);
    document.once('destroy', () => {
      document.answerSyncStep1 = undefined;
      this.caches.delete(document);
      cache.drop();
    });
  }
}
