/**
 * (d) Cold load: open a room whose 5 MB document is only in the database. Rooms are
 * uploaded, the server is restarted (nothing in memory), and each room is opened once:
 * the time from socket creation to the full document (SyncStep2) at the client.
 * "reopen" opens the same room again right after its last client left (unloaded at once,
 * or still loaded when ROOM_KEEP_LOADED_MS is set). Servers without a database (bare
 * Hocuspocus, y-websocket) are timed with the document in memory: the floor for the
 * transfer itself.
 */
import * as Y from 'yjs';
import type { ScenarioContext } from '../lib/context.ts';
import { connectLean } from '../lib/lean-client.ts';
import { sleep, summarize, type Summary } from '../lib/stats.ts';
import type { RunningTarget } from '../lib/targets.ts';

export interface ColdLoadRow {
  target: string;
  documentBytes: number;
  samples: number;
  /** From the database after a restart (Scrible), or from memory (servers without storage). */
  source: 'database' | 'memory';
  loadMs: Summary;
  reopenMs: Summary | undefined;
}

const SHAPES_PER_UPDATE = 500;

/**
 * A tldraw-like board of `bytes` (draw shapes with long point strings), as updates of about 1 MB.
 * @param root - the records' Y.Array; Scrible accepts only `tl_<roomId>` (and `meta`).
 */
export function buildBoardUpdates(bytes = 5 * 2 ** 20, root = 'tl_board'): Uint8Array[] {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (update: Uint8Array) => updates.push(update));
  const records = doc.getArray<{ key: string; val: unknown }>(root);
  const pointsPerShape = 1900;
  const shapes = Math.ceil(bytes / (pointsPerShape + 150));
  for (let first = 0; first < shapes; first += SHAPES_PER_UPDATE) {
    doc.transact(() => {
      const batch = [];
      for (let i = first; i < Math.min(shapes, first + SHAPES_PER_UPDATE); i++) {
        const points = Buffer.from(Array.from({ length: (pointsPerShape * 3) / 4 }, (_, k) => (i * 31 + k * 7) & 0xff)).toString('base64');
        batch.push({
          key: `shape:s${i}`,
          val: {
            id: `shape:s${i}`,
            typeName: 'shape',
            type: 'draw',
            x: i % 100,
            y: i / 100,
            parentId: 'page:p',
            index: `a${i}`,
            props: { color: 'black', segments: [{ type: 'free', path: points }] },
          },
        });
      }
      records.push(batch);
    });
  }
  return updates;
}

/**
 * Measures against one running server; may restart it.
 * @returns the row, and the running server to use (and stop) afterwards.
 */
export async function measureColdLoad(
  target: RunningTarget,
  ctx: ScenarioContext,
): Promise<{ row: ColdLoadRow | undefined; target: RunningTarget }> {
  if (target.protocol === 'raw') return { row: undefined, target };
  const samples = ctx.quick ? 2 : 15;
  const updates = buildBoardUpdates();
  const documentBytes = Y.encodeStateAsUpdate(
    (() => {
      const d = new Y.Doc();
      for (const u of updates) Y.applyUpdate(d, u);
      return d;
    })(),
  ).byteLength;
  // One extra room first: warms the JIT and the database connection, not reported.
  const rooms = await target.rooms(samples + 1, 'cold');
  const loads: number[] = [];
  const reopens: number[] = [];
  if (target.name.startsWith('scrible')) {
    for (let i = 0; i < rooms.length; i++) {
      const uploader = connectLean(target.wsUrl, target.protocol, rooms[i]!, target.token(900_000 + i));
      // Scrible refuses records outside the room's own tl_<roomId> array.
      await uploader.push(buildBoardUpdates(undefined, `tl_${rooms[i]}`));
      await uploader.close();
    }
    target = await target.restart();
    for (let i = 0; i < rooms.length; i++) {
      const client = connectLean(target.wsUrl, target.protocol, rooms[i]!, target.token(910_000 + i));
      const ms = await client.synced;
      await client.close();
      await sleep(200);
      const again = connectLean(target.wsUrl, target.protocol, rooms[i]!, target.token(920_000 + i));
      const reopenMs = await again.synced;
      await again.close();
      if (i > 0) loads.push(ms), reopens.push(reopenMs);
    }
  } else {
    const holders = [];
    for (let i = 0; i < rooms.length; i++) {
      const holder = connectLean(target.wsUrl, target.protocol, rooms[i]!, target.token(900_000 + i));
      await holder.push(updates, 500);
      holders.push(holder);
    }
    for (let i = 0; i < rooms.length; i++) {
      const client = connectLean(target.wsUrl, target.protocol, rooms[i]!, target.token(910_000 + i));
      const ms = await client.synced;
      await client.close();
      if (i > 0) loads.push(ms);
    }
    for (const holder of holders) await holder.close();
  }
  const row: ColdLoadRow = {
    target: target.name,
    documentBytes,
    samples: loads.length,
    source: target.name.startsWith('scrible') ? 'database' : 'memory',
    loadMs: summarize(loads),
    reopenMs: reopens.length ? summarize(reopens) : undefined,
  };
  ctx.log(
    `cold load ${row.target} (${(documentBytes / 2 ** 20).toFixed(1)} MiB, ${row.source}): p50 ${row.loadMs.p50} p99 ${row.loadMs.p99} ms${row.reopenMs ? `; reopen p50 ${row.reopenMs.p50} p99 ${row.reopenMs.p99} ms` : ''}`,
  );
  return { row, target };
}
