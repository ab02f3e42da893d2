import * as Y from 'yjs';

/**
 * One document's full state, `Y.encodeStateAsUpdate(document)`, encoded once per
 * version of the document and kept until its next transaction. A client joining with
 * nothing (an empty state vector) is sent exactly these bytes, so a join storm on a
 * large board encodes it once instead of once per joiner (about 30 ms per 4 MB).
 *
 * Any other state vector is encoded as before: Yjs writes only what that client lacks
 * (plus the delete set), which is cheap, while `Y.diffUpdate` from the cached bytes
 * would decode all of them (as slow as a full encoding).
 *
 * Staleness: every change to the document's store, including updates Yjs only holds
 * as pending (no 'update' event for those) and the garbage collection that follows a
 * deletion, happens in a transaction, and 'afterTransactionCleanup' comes after all of
 * it; the cached bytes are dropped there. An encoding made during a transaction (from
 * an observer) is dropped at that transaction's own cleanup.
 */
export class FullStateCache {
  private readonly document: Y.Doc;
  private encoded: Uint8Array | undefined;
  /** Listens only while something is cached: a document nobody joins pays nothing per transaction. */
  private readonly invalidate = (): void => {
    this.encoded = undefined;
    this.document.off('afterTransactionCleanup', this.invalidate);
  };

  constructor(document: Y.Doc) {
    this.document = document;
  }

  /** The update a SyncStep2 carries for a client with `stateVector`. Callers must not modify it (it is shared). */
  updateFor(stateVector: Uint8Array): Uint8Array {
    if (!isEmptyStateVector(stateVector)) return Y.encodeStateAsUpdate(this.document, stateVector);
    if (this.encoded) return this.encoded;
    const encoded = Y.encodeStateAsUpdate(this.document);
    this.encoded = encoded;
    this.document.on('afterTransactionCleanup', this.invalidate);
    return encoded;
  }

  /** Whether an encoding is held now (tests and metrics). */
  get holds(): boolean {
    return this.encoded !== undefined;
  }

  /** Lets go of the cached bytes (the document unloads). */
  drop(): void {
    if (this.encoded) this.invalidate();
  }
}

/**
 * Whether a state vector names no client: what a fresh provider sends (`[0]`). Read
 * without decoding: a state vector starts with its entry count (a lib0 varuint, for 0
 * the single byte 0). Anything else, well-formed or not, takes Yjs's own path.
 */
function isEmptyStateVector(stateVector: Uint8Array): boolean {
  return stateVector.byteLength === 1 && stateVector[0] === 0;
}
