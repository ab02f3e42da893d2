import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { instrumentStore } from '../../src/db/slow-queries.ts';
import { createTestStorage, type TestStorage } from '../helpers/db.ts';

class SleepyStore {
  private readonly database: Database;
  constructor(database: Database) {
    this.database = database;
  }
  async nap(seconds: number) {
    await this.database.db.execute(sql`select pg_sleep(${seconds})`);
  }
}

describe('slow query log', () => {
  let storage: TestStorage;
  let database: Database;
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
    database = createDatabase(storage);
    // Open the pool's connection first, so the fast statement below is not slowed by it.
    await database.ping();
  });
  afterAll(async () => {
    await database.close();
    await storage.drop();
  });

  it('logs statements slower than 100 ms with their name, and only those', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line));
        done();
      },
    });
    const store = instrumentStore(new SleepyStore(database), 'sleepy', pino({ level: 'info' }, sink));
    await store.nap(0);
    await store.nap(0.15);
    await new Promise((resolve) => setImmediate(resolve));
    expect(lines).toEqual([expect.objectContaining({ statement: 'sleepy.nap', msg: 'slow database query', ms: expect.any(Number) })]);
    expect(lines[0]!.ms as number).toBeGreaterThanOrEqual(140);
  });
});
