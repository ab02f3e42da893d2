import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { call, guest } from './helpers/api.ts';
import { startTestServer } from './helpers/server.ts';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/** Runs `node src/main.ts` with this environment and returns its exit code and output. */
function runMain(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    // Generous: loading the module graph is slow on a busy 2-core machine; failure is the exit code, not the time.
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 3001,
      databaseUrl: undefined,
      redisUrl: undefined,
      dataDir: './data',
      logLevel: 'info',
    });
    expect(config.limits).toMatchObject({
      wsMaxMessageBytes: 2 * 1024 * 1024,
      wsMaxMessagesPerSecond: 100,
      wsBurstMessages: 200,
      maxDocumentBytes: 32 * 1024 * 1024,
      idleTimeoutMs: 60_000,
    });
    expect(config.redisTimings).toEqual({ lockWaitMs: 5_000, lockTimeoutMs: 3_000, antiEntropyMs: 1_000, redisWaitMs: 2_000 });
    expect(loadConfig({ REDIS_LOCK_WAIT_MS: '250', REDIS_ANTI_ENTROPY_MS: '50' }).redisTimings).toMatchObject({
      lockWaitMs: 250,
      antiEntropyMs: 50,
    });
    expect(config.corsOrigins).toBeUndefined();
  });

  it('has the documented rate limits and export tuning', () => {
    const config = loadConfig({});
    expect(config.limits).toMatchObject({
      api: { ratePerSecond: 50, burst: 200 },
      guestCreations: { ratePerSecond: 1, burst: 30 },
      passwordAttempts: { ratePerSecond: 10 / 600, burst: 10 },
      roomPasswordAttempts: { ratePerSecond: 50 / 600, burst: 50 },
    });
    expect(config.exportJobs).toEqual({
      // One per spare core, at least one, at most four.
      renderThreads: Math.max(1, Math.min(4, availableParallelism() - 1)),
      renderTimeoutMs: 120_000,
      renderNice: 19,
      pollIntervalMs: 5_000,
      staleAfterMs: 120_000,
      maxAttempts: 3,
      shutdownGraceMs: 10_000,
      sweepIntervalMs: 3_600_000,
    });
    const tuned = loadConfig({
      API_REQUESTS_PER_SECOND: '5',
      GUEST_CREATIONS_PER_MINUTE: '6',
      PASSWORD_ATTEMPTS_PER_ROOM: '30',
      EXPORT_RENDER_THREADS: '2',
      EXPORT_POLL_MS: '250',
    });
    expect(tuned.limits.api).toEqual({ ratePerSecond: 5, burst: 200 });
    expect(tuned.limits.guestCreations).toEqual({ ratePerSecond: 0.1, burst: 30 });
    expect(tuned.limits.roomPasswordAttempts).toEqual({ ratePerSecond: 30 / 600, burst: 30 });
    expect(tuned.exportJobs).toMatchObject({ renderThreads: 2, pollIntervalMs: 250 });
  });

  it.each([
    ['API_REQUESTS_PER_SECOND', '0', 'too small'],
    ['GUEST_CREATIONS_BURST', '-1', 'must be a whole number'],
    ['PASSWORD_ATTEMPTS_PER_CLIENT', '10001', 'too big'],
    ['EXPORT_RENDER_THREADS', '0', 'too small'],
    ['EXPORT_RENDER_NICE', '20', 'too big'],
    ['EXPORT_RENDER_TIMEOUT_MS', '2.5', 'must be a whole number'],
    ['EXPORT_MAX_ATTEMPTS', '101', 'too big'],
    ['EXPORT_SWEEP_INTERVAL_MS', '10', 'too small'],
  ])('refuses %s=%s with one line naming the variable, its value and why', (variable, value, why) => {
    const load = () => loadConfig({ [variable]: value });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(`Invalid ${variable}="${value}": `);
    expect(load).toThrow(new RegExp(why, 'i'));
  });

  it('splits a JWT_SECRET list and allows no origin in production until configured', () => {
    const config = loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'new-secret-1, old-secret-2' });
    expect(config.jwtSecrets).toEqual(['new-secret-1', 'old-secret-2']);
    expect(config.corsOrigins).toEqual([]);
  });

  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL/],
    [{ REDIS_URL: 'http://x' }, /REDIS_URL/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL/],
    [{ NODE_ENV: 'production' }, /JWT_SECRET/],
  ])('refuses %o naming the variable', (env, name) => {
    expect(() => loadConfig(env)).toThrow(name);
  });

  it('stops `npm start` with one line naming the bad variable', async () => {
    const { code, output } = await runMain({ PORT: 'not-a-port', DATA_DIR: mkdtempSync(path.join(tmpdir(), 'scrible-cfg-')) });
    expect(code).toBe(1);
    expect(output.trim().split('\n')).toEqual([expect.stringMatching(/^scrible: Invalid PORT="not-a-port"/)]);
  });

  it('generates a JWT secret on first start and keeps it in DATA_DIR', async () => {
    const first = await startTestServer({ env: { JWT_SECRET: '' } });
    const secret = readFileSync(path.join(first.storage.dataDir, 'jwt-secret'), 'utf8').trim();
    expect(secret.length).toBeGreaterThanOrEqual(32);
    const me = await guest(first.url);
    await first.close();
    const second = await startTestServer({ storage: first.storage, env: { JWT_SECRET: '' } });
    try {
      // The token of the first run still verifies: same secret, read back from DATA_DIR.
      expect((await call(second.url, 'GET', '/api/rooms', { token: me.token })).status).toBe(200);
    } finally {
      await second.close();
      await second.storage.drop();
    }
  });
});
