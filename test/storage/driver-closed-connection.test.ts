import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestStorage, type TestStorage } from '../helpers/db.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * postgres-js 3.4.9 queues small writes for the next tick; when the connection has closed
 * by then it threw from setImmediate and ended the process (porsager/postgres#1154,
 * #1208; seen here when the database went away mid-write). patches/ guards it: the
 * query fails with CONNECTION_CLOSED and the process goes on. A child process runs it,
 * so the unpatched driver fails this test instead of ending the test runner.
 */
const SCRIPT = `
import postgres from 'postgres';
const url = process.env.DATABASE_URL;
const sql = postgres(url, { max: 2, onnotice: () => {} });
const admin = postgres(url, { max: 1, onnotice: () => {} });
const session = await sql.reserve();
const [{ pid }] = await session\`select pg_backend_pid() as pid\`;
await admin\`select pg_terminate_backend(\${pid})\`;
await new Promise((resolve) => setTimeout(resolve, 200));
const outcomes = [];
for (let i = 0; i < 2; i++) {
  try { await session\`select 1\`; outcomes.push('answered'); } catch (error) { outcomes.push(error.code); }
}
session.release();
const [{ one }] = await admin\`select 1 as one\`;
outcomes.push(one === 1 ? 'database still answers' : 'wrong answer');
await Promise.all([sql.end({ timeout: 1 }), admin.end({ timeout: 1 })]);
console.log(JSON.stringify(outcomes));
`;

describe('database driver on a closed connection', () => {
  let storage: TestStorage;
  beforeAll(async () => {
    storage = await createTestStorage('postgres');
  });
  afterAll(() => storage.drop());

  it('fails the query with CONNECTION_CLOSED instead of ending the process', () => {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: storage.databaseUrl! },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.stderr).not.toMatch(/TypeError/);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toEqual(['CONNECTION_CLOSED', 'CONNECTION_CLOSED', 'database still answers']);
  });
});
