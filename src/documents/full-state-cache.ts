import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { messageYjsSyncStep2 } from 'y-protocols/sync';
import * as Y from 'yjs';

/**
 * One document's full state, `Y.encodeStateAsUpdate(document)`, encoded once per
 * version of the document. A client joining with nothing (an empty state vector) is
 * sent exactly these bytes, so a join storm on a large board encodes it once instead
 * of once per joiner (about 30 ms per 4 MB).
 *
 * Any other state vector is encoded as before: Yjs writes only what that client lacks
 * (plus the delete set), which is cheap, while `Y.diffUpdate` from the cached bytes
 * would decode all of them (as slow as a full encoding).
 *
 * Staleness: every change to the document's store happens in a transaction, and
 * 'afterTransactionCleanup' comes after all of it (garbage collection included). The
 * encoding is dropped there when the transaction changed what it encodes: a clock
 * moved or something was deleted (what makes Yjs emit 'update'), or the updates Yjs
 * holds back for missing dependencies (pending structs and deletions, which emit no
 * 'update' yet are part of the encoding) are not the ones it was made with.
 * Transactions that change nothing keep it: every joiner's own (empty) SyncStep2 is
 * applied in one, and dropping on those would encode the board once per joiner again.
 */
export class FullStateCache {
  private readonly document: Y.Doc;
  private encoded: Uint8Array | undefined;
  /** What Yjs held back when `encoded` was made (compared by identity: Yjs replaces these, never edits them). */
  private pendingStructs: Y.Doc['store']['pendingStructs'] = null;
  private pendingUpdate: Uint8Array | undefined;
  private pendingDs: Uint8Array | null = null;
  /** Listens only while something is cached: a document nobody joins pays nothing per transaction. */
  private readonly afterTransaction = (transaction: Y.Transaction): void => {
    if (changesEncoding(transaction) || this.pendingChanged()) this.invalidate();
  };

  constructor(document: Y.Doc) {
    this.document = document;
  }

  /** The update a SyncStep2 carries for a client with `stateVector`. Callers must not modify it (it is shared). */
  updateFor(stateVector: Uint8Array): Uint8Array {
    if (!isEmptyStateVector(stateVector)) return Y.encodeStateAsUpdate(this.document, stateVector);
    if (this.encoded) return this.encoded;
    const encoded = Y.encodeStateAsUpdate(this.document);
    const { pendingStructs, pendingDs } = this.document.store;
    this.encoded = encoded;
    this.pendingStructs = pendingStructs;
    this.pendingUpdate = pendingStructs?.update;
    this.pendingDs = pendingDs;
    this.document.on('afterTransactionCleanup', this.afterTransaction);
    return encoded;
  }

  /**
   * Answers a SyncStep1 the way y-protocols' `readSyncStep1` does, byte for byte: reads
   * the client's state vector from `decoder` and writes the SyncStep2 to `encoder`.
   */
  answerSyncStep1(decoder: decoding.Decoder, encoder: encoding.Encoder): void {
    const update = this.updateFor(decoding.readVarUint8Array(decoder));
    encoding.writeVarUint(encoder, messageYjsSyncStep2);
    appendVarUint8Array(encoder, update);
  }

  /** Whether an encoding is held now (tests). */
  get holds(): boolean {
    return this.encoded !== undefined;
  }

  /** Lets go of the cached bytes (the document unloads). */
  drop(): void {
    if (this.encoded) this.invalidate();
  }

  private invalidate(): void {
    this.encoded = undefined;
    this.pendingStructs = null;
    this.pendingUpdate = undefined;
    this.pendingDs = null;
    this.document.off('afterTransactionCleanup', this.afterTransaction);
  }

  private pendingChanged(): boolean {
    const { pendingStructs, pendingDs } = this.document.store;
    return pendingStructs !== this.pendingStructs || pendingStructs?.update !== this.pendingUpdate || pendingDs !== this.pendingDs;
  }
}

/** Yjs's own test for whether a transaction makes an update: something deleted, or some client's clock moved. */
function changesEncoding(transaction: Y.Transaction): boolean {
  if (transaction.deleteSet.clients.size > 0) return true;
  const { beforeState, afterState } = transaction;
  if (beforeState.size !== afterState.size) return true;
  for (const [client, clock] of afterState) if (beforeState.get(client) !== clock) return true;
  return false;
}

/**
 * Whether a state vector names no client: what a fresh provider sends (`[0]`). Read
 * without decoding: a state vector starts with its entry count (a lib0 varuint, for 0
 * the single byte 0). Anything else, well-formed or not, takes Yjs's own path.
 */
function isEmptyStateVector(stateVector: Uint8Array): boolean {
  return stateVector.byteLength === 1 && stateVector[0] === 0;
}

/**
 * `encoding.writeVarUint8Array`, but a large array joins the encoder's finished chunks
 * (`bufs`) by reference instead of being copied into a new chunk: `toUint8Array` then
 * copies it once, not twice. Per joiner of a 4 MB board that is one 4 MB allocation and
 * copy less (the profile of a 100-joiner storm spent more in those copies than in
 * anything else once the encoding was shared). Safe with a shared array: lib0 only
 * ever writes into `cbuf`, and finished chunks are only read.
 */
function appendVarUint8Array(encoder: encoding.Encoder, bytes: Uint8Array): void {
  encoding.writeVarUint(encoder, bytes.byteLength);
  if (bytes.byteLength < 65_536) {
    encoding.writeUint8Array(encoder, bytes);
    return;
  }
  encoder.bufs.push(encoder.cbuf.subarray(0, encoder.cpos), bytes);
  encoder.cbuf = new Uint8Array(256);
  encoder.cpos = 0;
}
