import type { Document } from '@hocuspocus/server';
import type { Transaction } from 'yjs';
import { changesEncoding } from './full-state-cache.ts';

/**
 * What this instance knows about one loaded room, besides its Y.Doc. Created when
 * the room loads and dropped when it unloads (`RoomStates`), so nothing outlives
 * the document or is recreated by a late callback after the room is gone.
 */
export class RoomState {
  readonly document: Document;
  /**
   * The newest stored snapshot version this document is known to contain (it was
   * loaded from it or stored it). A store only has to merge versions newer than
   * this one, which other instances wrote. `undefined`: none.
   */
  containedVersion: number | undefined;
  private loadedState: Uint8Array | undefined;
  private readonly forgetLoadedState = (transaction: Transaction): void => {
    if (changesEncoding(transaction)) this.takeLoadedState();
  };
  /** Log bytes appended for this room since the last early compaction was asked for. */
  loggedBytes = 0;
  private measuredBytes = 0;
  private sizeBound = 0;
  private held: Deferred | undefined;
  /** This room's appends not settled yet (committed or failed). */
  private readonly pendingAppends = new Set<Promise<unknown>>();

  constructor(document: Document) {
    this.document = document;
  }

  /**
   * The document holds exactly `update` now (loaded from one snapshot: `StoredRoom.wholeState`).
   * Kept until taken, or until the document changes.
   */
  keepLoadedState(update: Uint8Array): void {
    this.loadedState = update;
    this.document.on('afterTransactionCleanup', this.forgetLoadedState);
  }

  /** The full state kept by `keepLoadedState`, if the document still holds exactly that; once. */
  takeLoadedState(): Uint8Array | undefined {
    const update = this.loadedState;
    this.loadedState = undefined;
    this.document.off('afterTransactionCleanup', this.forgetLoadedState);
    return update;
  }

  /**
   * An append of this room failed for good, but Hocuspocus had already applied its
   * update: the live document holds something not yet durable. A client that
   * reconnects would find it there, send nothing and be acknowledged at once; so
   * until a store has written the document, every acknowledgement in the room waits.
   */
  holdAcknowledgements(): void {
    this.held ??= deferred();
  }

  /** What acknowledgements wait for: `undefined` (send at once) unless something is held. */
  get acknowledgeable(): Promise<void> | undefined {
    return this.held?.promise;
  }

  /** Taken as a store begins encoding: everything held so far is in what it writes. */
  takeHeld(): Deferred | undefined {
    const held = this.held;
    this.held = undefined;
    return held;
  }

  /** A store failed: what it took is held again (together with anything new). */
  returnHeld(held: Deferred | undefined): void {
    if (!held) return;
    if (this.held) this.held.promise.then(held.resolve);
    else this.held = held;
  }

  /** An append of one of this room's updates is on its way to the log. */
  trackAppend(append: Promise<unknown>): void {
    this.pendingAppends.add(append);
    const forget = () => this.pendingAppends.delete(append);
    append.then(forget, forget);
  }

  /**
   * Resolves once the appends made so far have settled, or after `maxWaitMs`: a store
   * that waits for them compacts them too, instead of leaving the rows that were still
   * committing (a burst right before the last client leaves) for the next load to read.
   */
  async appendsSettled(maxWaitMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, maxWaitMs);
    });
    try {
      await Promise.race([Promise.allSettled([...this.pendingAppends]), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** When the size was last measured exactly (`performance.now()`); 0: never. */
  measuredAt = 0;

  /** Records the exact encoded size (at load, store, or by the size limit). */
  measured(bytes: number): void {
    this.measuredBytes = bytes;
    this.sizeBound = bytes;
    this.measuredAt = performance.now();
  }

  /** Updates only ever add to the size bound, so it holds without encoding per message. */
  grew(bytes: number): void {
    this.sizeBound += bytes;
  }

  /** The size last measured exactly, without the updates since. */
  get lastMeasuredBytes(): number {
    return this.measuredBytes;
  }

  /** An upper bound of the encoded document: the last exact size plus every update since. */
  get bytesBound(): number {
    return this.sizeBound;
  }
}

/**
 * The one owner of per-room state, keyed by room name but bound to the Hocuspocus
 * `Document` it was created for: a lookup with another (older, unloaded) document
 * finds nothing, and `get` never creates, so state cannot come back after unload.
 */
export class RoomStates {
  private readonly rooms = new Map<string, RoomState>();

  /** A fresh state for a room being loaded (replaces any left by an earlier load). */
  open(document: Document): RoomState {
    const state = new RoomState(document);
    this.rooms.set(document.name, state);
    return state;
  }

  /** The state of this very document, if it is still the loaded one. */
  get(document: Document): RoomState | undefined {
    const state = this.rooms.get(document.name);
    return state?.document === document ? state : undefined;
  }

  /** The state of the room loaded under this name. */
  byName(documentName: string): RoomState | undefined {
    return this.rooms.get(documentName);
  }

  /**
   * Forgets a room after it unloaded, unless the name was loaded again meanwhile
   * (`loaded` is what the server holds under that name now).
   */
  drop(documentName: string, loaded: Document | undefined): void {
    const state = this.rooms.get(documentName);
    if (state && state.document !== loaded) this.rooms.delete(documentName);
  }

  get size(): number {
    return this.rooms.size;
  }
}

/** A promise with its resolver (the project's TypeScript lib predates Promise.withResolvers). */
export interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}
