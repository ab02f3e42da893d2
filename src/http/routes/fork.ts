import { Hono } from 'hono';
import * as Y from 'yjs';
import { z } from 'zod';
import { assetUrl } from '../../assets/index.ts';
import { UnreadableSnapshotError } from '../../documents/stored-room.ts';
import type { KeyedRateLimiter } from '../../limits/token-bucket.ts';
import { logSecurityEvent } from '../../log.ts';
import { nameSchema } from '../../names/names.ts';
import { createFork, defaultForkName, UndecodableBoardError } from '../../rooms/room-fork.ts';
import { toRoomView } from '../../rooms/room-store.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { ApiError, notFound } from '../errors.ts';
import { bearerAuth } from '../middleware/bearer-auth.ts';
import { jsonBody } from '../validate.ts';
import { findRoom, requireMember } from './room-guards.ts';

export const forkBody = z.strictObject({
  name: nameSchema.optional(),
  /** A stored version to fork instead of the board now. */
  version: z.number().int().min(1).optional(),
});

/**
 * `POST /api/rooms/:roomId/fork`: a new private room owned by the caller holding the
 * board (now, or a stored version). Anyone who may open the room may fork it; a fork
 * is a room creation, so it takes from the same per-user allowance.
 */
export function forkRoute(deps: AppDeps, creations: KeyedRateLimiter) {
  const auth = bearerAuth(deps.tokens);
  return new Hono<AppEnv>().post('/:roomId/fork', auth, jsonBody(forkBody), async (c) => {
    const source = await findRoom(deps, c.req.param('roomId'));
    const user = c.get('user');
    await requireMember(deps, source, user.sub);
    const { name, version } = c.req.valid('json');
    if (!creations.take(user.sub)) {
      logSecurityEvent(deps.log, { type: 'rate-limited', ip: c.get('clientIp'), userId: user.sub, reason: 'room creations' });
      throw new ApiError(429, 'rate-limited', 'Too many rooms created; try again later');
    }
    const state = version === undefined ? await boardNow(deps, source.id) : await deps.snapshots.get(source.id, version);
    if (!state) throw notFound(`Room ${source.id} has no version ${version}`, 'version-not-found');
    // The fork's owner must exist as a user (a minted token's user may be new here).
    await deps.users.ensure({ id: user.sub, name: user.name, email: user.email, avatarUrl: user.avatarUrl });
    try {
      const fork = await createFork(
        deps.database.db,
        { roomId: source.id, state },
        {
          ownerId: user.sub,
          name: name ?? defaultForkName(source.name),
          assetUrl: (forkId, assetId) => assetUrl(deps.publicUrl(), forkId, assetId),
        },
      );
      await copyAssets(deps, source.id, fork.room.id, fork.assetIds, user.sub);
      return c.json(toRoomView(fork.room), 201);
    } catch (error) {
      if (error instanceof UndecodableBoardError) throw unreadable(error);
      throw error;
    }
  });
}

/** The board now: the loaded document, or the stored snapshot plus log. */
async function boardNow(deps: AppDeps, roomId: string): Promise<Uint8Array> {
  try {
    return await deps.documents.read(roomId, (doc) => Y.encodeStateAsUpdate(doc));
  } catch (error) {
    if (error instanceof UnreadableSnapshotError) throw unreadable(error);
    throw error;
  }
}

function unreadable(error: unknown): ApiError {
  return new ApiError(
    422,
    'board-unreadable',
    `The stored board cannot be decoded: ${error instanceof Error ? error.message : String(error)}`,
  );
}

/**
 * The fork's own copies of the pictures its board shows (API.md: "assets included"),
 * stored like uploads: the same bytes, so the same ids its records now point at. A file
 * missing from the source's store is left out (its pictures were broken there too).
 * Sequential on purpose: a board's pictures are held in memory one at a time.
 */
async function copyAssets(deps: AppDeps, sourceId: string, forkId: string, assetIds: readonly string[], userId: string): Promise<void> {
  const { service } = deps.assets;
  for (const assetId of assetIds) {
    try {
      const row = await service.store.get(sourceId, assetId);
      if (!row || !(await service.copy(row, forkId, userId))) {
        deps.log.warn({ roomId: sourceId, assetId, forkId }, 'fork: a referenced asset is missing from the store');
      }
    } catch (error) {
      // The fork exists already: one picture that could not be copied is logged, not a failed fork.
      deps.log.warn({ err: error, roomId: sourceId, assetId, forkId }, 'fork: copying an asset failed');
    }
  }
}
