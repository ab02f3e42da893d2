import * as Y from 'yjs';
import { assetIdOf } from '../assets/asset-references.ts';
import type { Db } from '../db/client.ts';
import type { RoomRow } from '../db/schema.ts';
import { SnapshotStore } from '../documents/snapshot-store.ts';
import { readBoardFromYDoc, writeBoardToYDoc } from '../render/index.ts';
import { newRoomId } from './ids.ts';
import { RoomStore } from './room-store.ts';

/** Longest room name (API.md "Names"). */
const MAX_NAME_LENGTH = 100;

/** The source's stored board is not a Yjs update (corrupt data). */
export class UndecodableBoardError extends Error {
  override name = 'UndecodableBoardError';
}

/** The name a fork gets when the caller gives none. */
export function defaultForkName(sourceName: string): string {
  const suffix = ' (fork)';
  return `${sourceName.slice(0, MAX_NAME_LENGTH - suffix.length).trimEnd()}${suffix}`;
}

/**
 * Creates a private room owned by `ownerId` whose board is `source`'s (the source
 * room's Yjs state: its document now, or one stored version). A room's records live in
 * `tl_<roomId>`, so they are copied record by record into a document of the new room
 * rather than the update being reused. The room and its first version are written in
 * one transaction: a fork never exists without its board.
 *
 * @param source - the source room's id and a Yjs update holding its board
 * @throws UndecodableBoardError when `source.state` is not a Yjs update
 */
export async function createFork(
  db: Db,
  source: { roomId: string; state: Uint8Array },
  fork: { ownerId: string; name: string; assetUrl: (forkId: string, assetId: string) => string },
): Promise<{ room: RoomRow; assetIds: string[] }> {
  const id = newRoomId();
  const state = copyBoard(source.roomId, source.state, id, (assetId) => fork.assetUrl(id, assetId));
  const room = await db.transaction(async (tx) => {
    const room = await new RoomStore(tx as unknown as Db).create({
      id,
      name: fork.name,
      ownerId: fork.ownerId,
      visibility: 'private',
      passwordHash: null,
    });
    // A new room: no other store can race this one for version 1.
    await new SnapshotStore(tx as unknown as Db).append(id, state.update, state.vector, fork.ownerId);
    return room;
  });
  return { room, assetIds: state.assetIds };
}

/**
 * The board of `roomId` held in `update`, as the whole document of room `forkId`. Asset
 * records that point at the source room's store point at the fork's instead (the
 * caller copies those files), so the fork keeps its pictures when the source goes.
 */
function copyBoard(
  roomId: string,
  update: Uint8Array,
  forkId: string,
  assetUrl: (assetId: string) => string,
): { update: Uint8Array; vector: Uint8Array; assetIds: string[] } {
  const source = new Y.Doc();
  const target = new Y.Doc();
  try {
    try {
      Y.applyUpdate(source, update);
    } catch (error) {
      throw new UndecodableBoardError(error instanceof Error ? error.message : String(error));
    }
    const board = readBoardFromYDoc(source, roomId);
    const assetIds = new Set<string>();
    const records = board.records.map((record) => {
      const assetId = assetIdOf(record, roomId);
      if (!assetId) return record;
      assetIds.add(assetId);
      const props = (record as { props?: Record<string, unknown> }).props ?? {};
      return { ...record, props: { ...props, src: assetUrl(assetId) } };
    });
    writeBoardToYDoc(target, forkId, { ...board, records });
    return { update: Y.encodeStateAsUpdate(target), vector: Y.encodeStateVector(target), assetIds: [...assetIds] };
  } finally {
    source.destroy();
    target.destroy();
  }
}
