import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, beforeAll } from 'vitest';
import { createDatabase, type Database } from '../../src/db/client.ts';
import { RoomStore } from '../../src/rooms/room-store.ts';
import { UserStore } from '../../src/users/user-store.ts';

/** The PostgreSQL server tests use; each test file gets its own database on it. */
export const POSTGRES_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export type StorageKind = 'postgres' | 'pglite';

export interface TestStorage {
  kind: StorageKind;
  /** Set for PostgreSQL, unset for PGlite. */
  databaseUrl: string | undefined;
  dataDir: string;
  drop(): Promise<void>;
}

/**
 * A fresh, empty store: a new database on the test PostgreSQL, or a new PGlite
 * directory. Nothing is shared between tests, so files run in parallel.
 */
export async function createTestStorage(kind: StorageKind): Promise<TestStorage> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'scrible-test-'));
  if (kind === 'pglite') {
    return { kind, databaseUrl: undefined, dataDir, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
  }
  const name = `scrible_t_${randomBytes(6).toString('hex')}`;
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    kind,
    databaseUrl: url.toString(),
    dataDir,
    drop: async () => {
      const cleanup = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
      await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await cleanup.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A migrated database of its own for the tests of one file or describe block (either
 * engine): created before them, closed and dropped after them.
 * @returns the database, once the tests run
 */
export function useMigratedDatabase(kind: StorageKind): () => Database {
  let storage: TestStorage | undefined;
  let database: Database | undefined;
  beforeAll(async () => {
    storage = await createTestStorage(kind);
    database = createDatabase(storage);
    await database.migrate();
  });
  afterAll(async () => {
    await database?.close();
    await storage?.drop();
  });
  return () => {
    if (!database) throw new Error('the test database is not created yet (use it inside tests or hooks)');
    return database;
  };
}

/** A private room owned by a new user `ownerId`, written straight to the database. */
export async function createStoredRoom(database: Database, ownerId: string): Promise<{ id: string }> {
  await new UserStore(database.db).create({ id: ownerId, name: 'U' });
  return new RoomStore(database.db).create({ name: `room of ${ownerId}`, ownerId, visibility: 'private', passwordHash: null });
}
