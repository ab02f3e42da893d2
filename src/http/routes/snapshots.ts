import { Hono } from 'hono';
import { restoreInto } from '../../documents/restore.ts';
import type { AppDeps, AppEnv } from '../app-env.ts';
import { badRequest, notFound } from '../errors.ts';
import { bearerAuth } from '../middleware/bearer-auth.ts';
import { findRoom, requireMember, requireOwner } from './room-guards.ts';

/** `/api/rooms/:roomId/snapshots`: the stored versions, and restoring one. */
export function snapshotRoutes(deps: AppDeps) {
  const auth = bearerAuth(deps.tokens);
  return new Hono<AppEnv>()
    .get('/:roomId/snapshots', auth, async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      await requireMember(deps, room, c.get('user').sub);
      return c.json(await deps.snapshots.list(room.id));
    })
    .post('/:roomId/snapshots/:version/restore', auth, async (c) => {
      const room = await findRoom(deps, c.req.param('roomId'));
      const user = c.get('user');
      requireOwner(room, user.sub);
      const version = Number(c.req.param('version'));
      if (!Number.isInteger(version) || version < 1) throw badRequest('version must be a positive whole number');
      const snapshot = await deps.snapshots.get(room.id, version);
      if (!snapshot) throw notFound(`Room ${room.id} has no version ${version}`, 'version-not-found');

      // Through Hocuspocus, not around it: the restore is an ordinary change of the
      // loaded document, so connected clients (and other instances) receive it, and
      // closing the direct connection stores it at once as the newest version.
      // `user` makes the restorer the author of the version the restore is stored as.
      const connection = await deps.hocuspocus.openDirectConnection(room.id, {
        user: { id: user.sub, name: user.name },
        restoredBy: user.sub,
      });
      let kept: number | undefined;
      try {
        // The board as it was is kept as a version first, so the restore can be undone.
        kept = await deps.versions.keepBoardNow(room.id);
        await connection.transact((document) => restoreInto(document, snapshot));
      } finally {
        await connection.disconnect();
      }
      const [latest] = await deps.snapshots.list(room.id);
      return c.json({ restoredFrom: version, version: latest?.version ?? null, kept: kept ?? null });
    });
}
