import { and, eq, isNull, lte, sql } from 'drizzle-orm';
import * as Y from 'yjs';
import type { Db } from '../db/client.ts';
import { arrayParam, queryRows, toBuffer } from '../db/rows.ts';
import { roomSnapshots, roomUpdates } from '../db/schema.ts';
import { errorText, quarantine, type Unreadable } from './quarantine.ts';
import type { RoomState } from './room-state.ts';
import { loggedUpdates, snapshotData, snapshotVersions } from './stored-rows.ts';

/**
 * The transaction origin of stored data merged into a live document by a store:
 * Hocuspocus broadcasts it to the room's clients (and Redis to other instances), but
 * it is not stored again (`skipStoreHooks`) and the durable log never sees it (only
 * client messages are appended).
 */
export const STORAGE_ORIGIN = { source: 'local', skipStoreHooks: true, context: { storage: true } } as const;

export interface CompactionInput {
  db: Db;
  roomId: string;
  /** The live document: what is stored is merged into it, then it is encoded. */
  doc: Y.Doc;
  /** The newest version `doc` is known to contain; only newer ones are read. */
  containedVersion: number | undefined;
  /** Snapshot versions kept; older unnamed ones are deleted in the same transaction. */
  keepVersions: number;
  /** Names the version (`POST /api/rooms/:id/versions`); named versions are never pruned. */
  name?: string;
  /** The user who made the change stored, or named the version; null when unknown. */
  createdBy?: string | null;
  /** Transaction origin of the merge into `doc` (so it is not logged or stored again). */
  origin: unknown;
}

export interface CompactionResult {
  version: number;
  createdAt: Date;
  /** Encoded size of the stored version. */
  bytes: number;
  /** Log rows deleted because the new version contains them. */
  compactedRows: number;
  /** Undecodable data found and moved to `quarantined_data`. */
  quarantined: Unreadable[];
}

/**
 * Stores a new snapshot version of a room and compacts its log, in one transaction
 * holding the room's row lock (`FOR NO KEY UPDATE`: stores of one room from any
 * instance run one at a time, while appends, which only take `KEY SHARE` for their
 * foreign key, go on). Inside it:
 *
 * 1. the newest decodable stored version newer than `containedVersion` (written by
 *    another instance) is merged into the live document;
 * 2. every log row of the room is read and merged into it too;
 * 3. the document is encoded and inserted as the next version with its state vector;
 * 4. exactly the rows read in 2 are deleted; undecodable ones are quarantined;
 *    versions older than the newest `keepVersions` are pruned, unless named.
 *
 * So every version contains its predecessor and every row it deletes, whichever
 * instance writes it: no acknowledged update can be compacted away. Merging into the
 * live document (Yjs updates are idempotent; nothing new emits nothing) also brings
 * the room's clients up to what is stored.
 *
 * @returns `undefined` when the room no longer exists.
 */
export async function compactRoom(input: CompactionInput): Promise<CompactionResult | undefined> {
  const { db, roomId, doc, origin } = input;
  return db.transaction(async (tx) => {
    const [room] = await queryRows<{ id: string }>(tx as unknown as Db, sql`SELECT id FROM rooms WHERE id = ${roomId} FOR NO KEY UPDATE`);
    if (!room) return undefined;
    const quarantined: Unreadable[] = [];

    const versions = await snapshotVersions(tx, roomId);
    for (const { version } of versions) {
      if (input.containedVersion !== undefined && version <= input.containedVersion) break;
      const data = await snapshotData(tx, roomId, version);
      if (!data) continue;
      // Checked on a scratch document first: this path is rare (another instance
      // stored the room), and a half-applied bad update must not reach the live one.
      const probe = new Y.Doc();
      try {
        Y.applyUpdate(probe, data);
      } catch (error) {
        quarantined.push({ kind: 'snapshot', id: version, error: errorText(error) });
        continue;
      } finally {
        probe.destroy();
      }
      Y.applyUpdate(doc, data, origin);
      break;
    }

    const rows = await loggedUpdates(tx, roomId);
    const contained: number[] = [];
    Y.transact(
      doc,
      () => {
        for (const row of rows) {
          try {
            Y.applyUpdate(doc, row.update, origin);
            contained.push(Number(row.seq));
          } catch (error) {
            quarantined.push({ kind: 'update', id: Number(row.seq), error: errorText(error) });
          }
        }
      },
      origin,
    );

    const state = Y.encodeStateAsUpdate(doc);
    // Above every version ever read, quarantined ones included: numbers are never reused.
    const version = (versions[0]?.version ?? 0) + 1;
    const [inserted] = await tx
      .insert(roomSnapshots)
      .values({
        roomId,
        snapshotData: toBuffer(state),
        stateVector: toBuffer(Y.encodeStateVector(doc)),
        version,
        name: input.name ?? null,
        createdBy: input.createdBy ?? null,
      })
      .returning({ createdAt: roomSnapshots.createdAt });
    await tx.execute(sql`UPDATE rooms SET last_active = now() WHERE id = ${roomId}`);
    if (contained.length > 0) {
      await tx
        .delete(roomUpdates)
        .where(and(eq(roomUpdates.roomId, roomId), sql`${roomUpdates.seq} = ANY(${arrayParam(contained, 'bigint')})`));
    }
    await quarantine(tx as unknown as Db, roomId, quarantined);
    // Named versions are kept at any age; the newest version always is (keepVersions ≥ 1).
    await tx
      .delete(roomSnapshots)
      .where(and(eq(roomSnapshots.roomId, roomId), lte(roomSnapshots.version, version - input.keepVersions), isNull(roomSnapshots.name)));
    return { version, createdAt: new Date(inserted!.createdAt), bytes: state.byteLength, compactedRows: contained.length, quarantined };
  });
}

/** How long a store waits for the room's appends in flight before it reads the log. */
const APPENDS_WAIT_MS = 1_000;

/**
 * One store of a room loaded in this instance: compacts it from its live document and
 * keeps its state in step. Acknowledgements held back in the room (after a failed
 * append) are released once the version is written, or held again when it fails.
 * Callers serialise it with the document's `saveMutex` (Hocuspocus holds it for
 * `onStoreDocument`).
 *
 * @returns `undefined` when the room no longer exists.
 */
export async function storeLoadedRoom(
  state: RoomState,
  input: Pick<CompactionInput, 'db' | 'keepVersions' | 'name' | 'createdBy'>,
): Promise<CompactionResult | undefined> {
  // The rows still committing are then read and compacted with the rest (bounded:
  // a store without them is as correct, it only leaves them to the next one).
  await state.appendsSettled(APPENDS_WAIT_MS);
  // Everything applied so far (held acknowledgements included) is in what this writes.
  const held = state.takeHeld();
  try {
    const stored = await compactRoom({
      ...input,
      roomId: state.document.name,
      doc: state.document,
      containedVersion: state.containedVersion,
      origin: STORAGE_ORIGIN,
    });
    held?.resolve();
    if (stored) {
      state.containedVersion = stored.version;
      state.measured(stored.bytes);
    }
    return stored;
  } catch (error) {
    state.returnHeld(held);
    throw error;
  }
}
