import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call } from '../helpers/api.ts';
import { createTestStorage, type TestStorage } from '../helpers/db.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { TEST_SECRET } from '../helpers/server.ts';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const EXAMPLE = 'examples/add-sticky-note.mjs';

/**
 * The README's integration guide, as a reader would use it: `npm start` (the embedded
 * database, no services) and `node examples/add-sticky-note.mjs <url>`. The guide's code
 * block is the example file, so it cannot drift from what is tested here.
 */
describe('the README integration guide', () => {
  let storage: TestStorage;
  let server: ServerProcess;

  beforeAll(async () => {
    storage = await createTestStorage('pglite');
    server = await startServerProcess({ JWT_SECRET: TEST_SECRET, DATA_DIR: storage.dataDir, WEB_DIR: '/nonexistent' });
  });
  afterAll(async () => {
    server?.child.kill('SIGKILL');
    await server?.exited;
    await storage?.drop();
  });

  it('shows the example script as it is in examples/', () => {
    const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
    const script = readFileSync(`${ROOT}/${EXAMPLE}`, 'utf8');
    // The README shows the script without its two comment lines at the top.
    const body = script
      .split('\n')
      .filter((line) => !line.startsWith('//'))
      .join('\n')
      .trim();
    expect(readme).toContain(body);
  });

  it('adds a sticky note that the document API then serves', async () => {
    const { stdout } = await run(process.execPath, [EXAMPLE, server.url], { cwd: ROOT, timeout: 60_000 });
    expect(stdout).toContain('{ applied: 2 }');
    const roomId = /\/r\/([\w-]+)/.exec(stdout)?.[1];
    expect(roomId).toBeDefined();
    const guest = await call(server.url, 'POST', '/api/auth/guest', { body: { name: 'Reader' } });
    const read = await call(server.url, 'GET', `/api/rooms/${roomId}/document`, { token: guest.body.token });
    expect(read.status).toBe(200);
    const note = read.body.records.find((record: { type?: string }) => record.type === 'note');
    expect(note.props.richText.content[0].content[0].text).toBe('TICKET-42: fix the login page');
  });
});
