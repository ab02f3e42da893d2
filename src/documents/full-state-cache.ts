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
  /**
   * The last whole reply to an empty state vector: what Hocuspocus had written before
   * the answer (the document's address and the message type, `prefixLength` bytes),
   * the SyncStep2 header, then the full state from `updateOffset`. One buffer, sent as
   * it is to every joiner whose reply starts the same (all of a room's joiners, unless
   * their provider opts into session addresses).
   */
  private reply: { frame: Uint8Array; prefixLength: number; updateOffset: number } | undefined;
  /** What Yjs held back when the full state was encoded (compared by identity: Yjs replaces these, never edits them). */
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

  /**
   * Answers a SyncStep1 (Hocuspocus's `answerSyncStep1` seam, see the patch): reads the
   * client's state vector from `decoder`. An empty one gets the whole reply back (the
   * bytes `encoder` holds, then the SyncStep2), shared and not to be modified; any
   * other is answered as y-protocols' `readSyncStep1` does, written to `encoder`.
   */
  answerSyncStep1(decoder: decoding.Decoder, encoder: encoding.Encoder): Uint8Array | undefined {
    const stateVector = decoding.readVarUint8Array(decoder);
    if (!isEmptyStateVector(stateVector)) {
      encoding.writeVarUint(encoder, messageYjsSyncStep2);
      encoding.writeVarUint8Array(encoder, Y.encodeStateAsUpdate(this.document, stateVector));
      return undefined;
    }
    return this.wholeReply(encoding.toUint8Array(encoder));
  }

  /** The full state, `Y.encodeStateAsUpdate(document)`, from the cache when it holds it. Shared: not to be modified. */
  fullState(): Uint8Array {
    if (!this.reply) this.wholeReply(new Uint8Array(0));
    const { frame, updateOffset } = this.reply!;
    return frame.subarray(updateOffset);
  }

  /**
   * The document holds exactly `update` (it was just loaded from it, nothing else
   * applied, nothing held back): kept as the full state, as if encoded now, and
   * dropped like an encoding on the next change.
   */
  seed(update: Uint8Array): void {
    if (this.reply || this.document.store.pendingStructs || this.document.store.pendingDs) return;
    this.reply = { frame: update, prefixLength: 0, updateOffset: 0 };
    this.watch();
  }

  /** Whether an encoding is held now (tests). */
  get holds(): boolean {
    return this.reply !== undefined;
  }

  /** Lets go of the cached bytes (the document unloads). */
  drop(): void {
    if (this.reply) this.invalidate();
  }

  /**
   * The held reply when it starts with `prefix`; otherwise a new one (the full state
   * copied behind `prefix`, encoded first if nothing is held), which replaces it.
   */
  private wholeReply(prefix: Uint8Array): Uint8Array {
    const held = this.reply;
    if (held && held.prefixLength === prefix.byteLength && startsWith(held.frame, prefix)) return held.frame;
    const update = held ? held.frame.subarray(held.updateOffset) : this.encode();
    const header = encoding.createEncoder();
    encoding.writeUint8Array(header, prefix);
    encoding.writeVarUint(header, messageYjsSyncStep2);
    encoding.writeVarUint(header, update.byteLength);
    const head = encoding.toUint8Array(header);
    const frame = new Uint8Array(head.byteLength + update.byteLength);
    frame.set(head);
    frame.set(update, head.byteLength);
    this.reply = { frame, prefixLength: prefix.byteLength, updateOffset: head.byteLength };
    return frame;
  }

  /** Encodes the full state and starts watching for what makes it stale. */
  private encode(): Uint8Array {
    const encoded = Y.encodeStateAsUpdate(this.document);
    this.watch();
    return encoded;
  }

  private watch(): void {
    const { pendingStructs, pendingDs } = this.document.store;
    this.pendingStructs = pendingStructs;
    this.pendingUpdate = pendingStructs?.update;
    this.pendingDs = pendingDs;
    this.document.on('afterTransactionCleanup', this.afterTransaction);
  }

  private invalidate(): void {
    this.reply = undefined;
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

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.byteLength; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/** Whether a transaction changed what a full-state encoding holds: a clock moved or something was deleted. */
export function changesEncoding(transaction: Y.Transaction): boolean {
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
