import { sql } from 'drizzle-orm';
import { expect } from 'vitest';
import * as Y from 'yjs';
import type { Db } from '../../src/db/client.ts';
import { queryRows } from '../../src/db/rows.ts';

/** Every stored version's state vector dominates its predecessor's (no client clock goes back). */
/** @returns how many versions are stored. */
export async function expectVersionsDominate(db: Db, roomId: string): Promise<number> {
  const rows = await queryRows<{ version: number; state_vector: Uint8Array }>(
    db,
    sql`select version, state_vector from room_snapshots where room_id = ${roomId} order by version`,
  );
  for (let i = 1; i < rows.length; i++) {
    const before = Y.decodeStateVector(rows[i - 1]!.state_vector);
    const after = Y.decodeStateVector(rows[i]!.state_vector);
    for (const [client, clock] of before) {
      expect(after.get(client) ?? 0, `version ${rows[i]!.version}, client ${client}`).toBeGreaterThanOrEqual(clock);
    }
  }
  return rows.length;
}
