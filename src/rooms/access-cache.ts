import type { RoomClaims, UserClaims } from '../auth/tokens.ts';
import type { RoomRow } from '../db/schema.ts';
import { isOpenRoom, type Membership } from './access.ts';
import type { AccessChanges } from './access-changes.ts';
import type { RoomStore } from './room-store.ts';

export interface RoomAccessCacheOptions {
  rooms: Pick<RoomStore, 'withMember' | 'withMembers'>;
  changes: AccessChanges;
  /** Longest a room's cached access is trusted, whatever happens. @default 60000 (ms) */
  ttlMs?: number;
  /** Rooms with more members than this are not cached (one query per connection, as before). @default 1000 */
  maxMembers?: number;
  /** Rooms kept at most; the oldest entry goes first. @default 10000 */
  maxRooms?: number;
}

interface Entry {
  room: RoomRow;
  members: Map<string, Membership>;
  loadedAt: number;
}

export interface RoomAccess {
  room: RoomRow;
  member: Membership | undefined;
}

/**
 * The room and membership a socket's access decision needs, cached per room so a
 * connection usually costs no database round trip (connect storms, reconnects).
 *
 * Correct because every change that could make a cached answer too generous is
 * published through `AccessChanges` (a role, a removal, a password, made private, a
 * deletion: `access`; a new member, opened up: `members`) and drops the room's entry
 * on every instance, and because an entry is only trusted while this instance hears
 * every change (not while Redis is away) and for `ttlMs` at most. An answer the cache
 * cannot give for sure is read from the database: a user it does not know as a member
 * of a room that is not open, or a room token (issued by a join, which may be newer
 * than the entry). A connection admitted by an answer that an access change made stale
 * in flight is re-checked by `LiveAccess` like any other.
 */
export class RoomAccessCache {
  private readonly options: Required<RoomAccessCacheOptions>;
  private readonly entries = new Map<string, Entry>();
  /** Loads in flight; a change meanwhile marks them so their answer is not kept. */
  private readonly loading = new Map<string, { stale: boolean; promise: Promise<Entry | undefined> }>();

  constructor(options: RoomAccessCacheOptions) {
    this.options = { ttlMs: 60_000, maxMembers: 1_000, maxRooms: 10_000, ...options };
    options.changes.subscribe((roomId) => this.forget(roomId));
  }

  /** The room and the user's membership, or undefined when the room does not exist. */
  async lookup(roomId: string, claims: UserClaims | RoomClaims): Promise<RoomAccess | undefined> {
    const entry = this.fresh(roomId) ?? (await this.load(roomId));
    if (entry) {
      const member = entry.members.get(claims.sub);
      if (member) return { room: entry.room, member };
      // Not a member by the cache: sure only for a user token (a join hands out room
      // tokens) in a room where that makes no difference, or for the owner.
      if (claims.kind === 'user' && (isOpenRoom(entry.room) || entry.room.ownerId === claims.sub)) {
        return { room: entry.room, member: undefined };
      }
    }
    return this.options.rooms.withMember(roomId, claims.sub);
  }

  forget(roomId: string): void {
    this.entries.delete(roomId);
    const pending = this.loading.get(roomId);
    if (pending) pending.stale = true;
  }

  private fresh(roomId: string): Entry | undefined {
    const entry = this.entries.get(roomId);
    if (!entry) return undefined;
    const since = this.options.changes.hearingAllSince();
    if (since !== undefined && entry.loadedAt >= since && performance.now() - entry.loadedAt < this.options.ttlMs) return entry;
    this.entries.delete(roomId);
    return undefined;
  }

  /** Joiners of one room share one load. Undefined: no such room, or not cacheable now. */
  private load(roomId: string): Promise<Entry | undefined> {
    const running = this.loading.get(roomId);
    if (running) return running.promise;
    const since = this.options.changes.hearingAllSince();
    // Changes could be missed right now: nothing read now can be trusted later either.
    if (since === undefined) return Promise.resolve(undefined);
    const loadedAt = performance.now();
    const pending = {
      stale: false,
      promise: this.options.rooms.withMembers(roomId, this.options.maxMembers + 1).then((found) => {
        if (!found || found.members.size > this.options.maxMembers) return undefined;
        // Changed while reading: let the callers read again rather than use it.
        if (pending.stale) return undefined;
        const entry: Entry = { ...found, loadedAt };
        this.keep(roomId, entry);
        return entry;
      }),
    };
    this.loading.set(roomId, pending);
    const done = () => {
      if (this.loading.get(roomId) === pending) this.loading.delete(roomId);
    };
    pending.promise.then(done, done);
    return pending.promise;
  }

  private keep(roomId: string, entry: Entry): void {
    this.entries.delete(roomId);
    this.entries.set(roomId, entry);
    if (this.entries.size > this.options.maxRooms) this.entries.delete(this.entries.keys().next().value!);
  }
}
