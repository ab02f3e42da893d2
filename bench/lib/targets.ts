/**
 * The servers under test. Each runs in its own child process, one at a time, on
 * 127.0.0.1 and a free port, so they never compete for the two cores and the runner
 * can read the server's own RSS and CPU time from /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { TokenService } from '../../src/auth/tokens.ts';
import type { Protocol } from './protocol.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const BENCH_SECRET = 'bench-secret-not-for-production';
export const POSTGRES_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const tokens = new TokenService([BENCH_SECRET]);

/** A signed token for bench user `i` (one user per client), valid for a day. */
export const userToken = (i: number): string => tokens.signUser({ id: `bench-user-${i}`, name: `User ${i}` }, 24 * 3600);

export type TargetName = 'scrible-pglite' | 'scrible-pg' | 'hocuspocus' | 'y-websocket' | 'raw-ws';
export const ALL_TARGETS: TargetName[] = ['scrible-pglite', 'scrible-pg', 'hocuspocus', 'y-websocket', 'raw-ws'];

export interface RunningTarget {
  name: string;
  protocol: Protocol;
  wsUrl: string;
  pid: number;
  /** Creates `count` rooms the clients may open (Scrible: public rooms via REST). */
  rooms(count: number, prefix?: string): Promise<string[]>;
  /** A token for client `i` (Scrible: a signed user token, one user per client). */
  token(i: number): string;
  /** Server resident memory now, in bytes. */
  rss(): number;
  /** Server CPU time so far (user + system), in seconds. */
  cpuSeconds(): number;
  /** Stops the server (SIGTERM, then SIGKILL); keeps the data when `keepData`. */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** Starts the same server again over the same data (cold caches). */
  restart(): Promise<RunningTarget>;
}

export interface TargetOptions {
  /** Extra environment for Scrible (e.g. WS_COMPRESSION=true); label suffix for variants. */
  env?: Record<string, string>;
  label?: string;
  /** node flags for the server process (e.g. --cpu-prof). */
  nodeArgs?: string[];
  /**
   * Scrible only: the checkout whose `src/main.ts` runs (default: this one), so a
   * bench can measure another version of the server, e.g. a worktree of an older commit.
   */
  serverRoot?: string;
}

/**
 * Limits every benchmarked Scrible runs with. The limiter stays on (same per-message
 * work), but well above the hot-room rates, so the sweep measures the server instead of
 * our default 100 messages/s policy. One load generator on one address plays thousands
 * of users: the per-address and per-user abuse limits (issue 11) stay on but out of its
 * way, or room set-up waits on 429s for hours and the 10,000-connection scenario is
 * refused at 200.
 */
export const BENCH_LIMITS_ENV: Record<string, string> = {
  WS_MAX_MESSAGES_PER_SECOND: '100000',
  WS_BURST_MESSAGES: '100000',
  ROOM_CREATIONS_PER_HOUR: '1000000',
  API_REQUESTS_PER_SECOND: '100000',
  API_REQUESTS_BURST: '100000',
  WS_MAX_CONNECTIONS_PER_IP: '100000',
};

const PAGE = 4096;
const CLK_TCK = 100;

/** Resident memory of process `pid` in bytes (from /proc, so any child process works). */
export function readRss(pid: number): number {
  const statm = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
  return Number(statm[1]) * PAGE;
}

/** Write system calls (write, writev, sendmsg) of process `pid` so far, from /proc. */
export function readWriteSyscalls(pid: number): number {
  const match = /^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'));
  return Number(match?.[1] ?? Number.NaN);
}

/** CPU time of process `pid` so far (user + system, from /proc), in seconds. */
export function readCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function spawnServer(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  cwd = ROOT,
): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`server did not start:\n${output.slice(-2000)}`))), 30_000);
    const onData = (chunk: Buffer) => {
      if (output.length < 100_000) output += chunk.toString();
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout!.off('data', onData);
        // Keep draining so a chatty server never blocks on a full pipe.
        child.stdout!.resume();
        resolve({ child, port: Number(match[1]) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => {
      if (output.length < 100_000) output += chunk.toString();
      if (process.env.BENCH_VERBOSE) process.stderr.write(chunk);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output.slice(-2000)}`));
    });
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => (clearTimeout(timer), resolve()));
    child.kill('SIGTERM');
  });
}

/** Creates `count` public rooms through the REST API of a Scrible started with BENCH_SECRET. */
export async function createRooms(httpUrl: string, count: number, prefix: string): Promise<string[]> {
  const owner = tokens.signUser({ id: 'bench-owner', name: 'Bench owner' }, 24 * 3600);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    for (;;) {
      const response = await fetch(`${httpUrl}/api/rooms`, {
        method: 'POST',
        headers: { authorization: `Bearer ${owner}`, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `${prefix} ${i}`, visibility: 'public' }),
      });
      if (response.status === 429) {
        await new Promise((r) => setTimeout(r, 250));
        continue;
      }
      if (response.status !== 201) throw new Error(`POST /api/rooms: ${response.status} ${await response.text()}`);
      ids.push(((await response.json()) as { id: string }).id);
      break;
    }
  }
  return ids;
}

/** Scrible exactly as `npm start` runs it, all extensions on. */
async function startScrible(
  kind: 'pglite' | 'pg',
  options: TargetOptions,
  data?: { dataDir: string; databaseUrl?: string; drop: () => Promise<void> },
): Promise<RunningTarget> {
  if (!data) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'scrible-bench-'));
    let databaseUrl: string | undefined;
    let dropDb = async () => {};
    if (kind === 'pg') {
      const name = `scrible_bench_${process.pid}_${Date.now().toString(36)}`;
      const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`CREATE DATABASE ${name}`);
      await admin.end();
      const url = new URL(POSTGRES_URL);
      url.pathname = `/${name}`;
      databaseUrl = url.toString();
      dropDb = async () => {
        const cleanup = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
        await cleanup.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await cleanup.end();
      };
    }
    data = { dataDir, databaseUrl, drop: async () => (await dropDb(), rmSync(dataDir, { recursive: true, force: true })) };
  }
  const env: Record<string, string> = {
    // As deployed (the Dockerfile's setting): development turns on Yjs's dev-mode
    // checks (every inserted JSON value deep-frozen), which no production server pays.
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    JWT_SECRET: BENCH_SECRET,
    DATA_DIR: data.dataDir,
    LOG_LEVEL: 'info',
    WEB_DIR: '/nonexistent',
    ...BENCH_LIMITS_ENV,
    // The cold-load scenario measures loading from the database; the keep-loaded
    // variant in run.ts turns this back on to show what it saves.
    ROOM_KEEP_LOADED_MS: '0',
    ...(data.databaseUrl ? { DATABASE_URL: data.databaseUrl } : {}),
    ...options.env,
  };
  const { child, port } = await spawnServer(
    [...(options.nodeArgs ?? []), 'src/main.ts'],
    env,
    /"url":"http:\/\/127\.0\.0\.1:(\d+)".*scrible listening/,
    options.serverRoot,
  );
  const httpUrl = `http://127.0.0.1:${port}`;
  const current = data;
  return {
    name: `scrible-${kind}${options.label ? `+${options.label}` : ''}`,
    protocol: 'hocuspocus',
    wsUrl: `ws://127.0.0.1:${port}`,
    pid: child.pid!,
    rooms: (count, prefix = 'bench') => createRooms(httpUrl, count, prefix),
    token: userToken,
    rss: () => readRss(child.pid!),
    cpuSeconds: () => readCpu(child.pid!),
    stop: async ({ keepData } = {}) => {
      await stopChild(child);
      if (!keepData) await current.drop();
    },
    restart: async function (this: RunningTarget) {
      await this.stop({ keepData: true });
      return startScrible(kind, options, current);
    },
  };
}

async function startScript(name: TargetName, protocol: Protocol, script: string, options: TargetOptions): Promise<RunningTarget> {
  const { child, port } = await spawnServer([...(options.nodeArgs ?? []), script], {}, /READY (\d+)/);
  let counter = 0;
  return {
    name,
    protocol,
    wsUrl: `ws://127.0.0.1:${port}`,
    pid: child.pid!,
    rooms: async (count, prefix = 'bench') => Array.from({ length: count }, () => `${prefix.replace(/\W/g, '')}${counter++}`),
    token: () => 'unused',
    rss: () => readRss(child.pid!),
    cpuSeconds: () => readCpu(child.pid!),
    stop: () => stopChild(child),
    restart: async function (this: RunningTarget) {
      await this.stop();
      return startScript(name, protocol, script, options);
    },
  };
}

/** Starts one server under test. */
export function startTarget(name: TargetName, options: TargetOptions = {}): Promise<RunningTarget> {
  switch (name) {
    case 'scrible-pglite':
      return startScrible('pglite', options);
    case 'scrible-pg':
      return startScrible('pg', options);
    case 'hocuspocus':
      return startScript(name, 'hocuspocus', 'bench/servers/hocuspocus.ts', options);
    case 'y-websocket':
      return startScript(name, 'y-websocket', 'bench/servers/y-websocket.ts', options);
    case 'raw-ws':
      return startScript(name, 'raw', 'bench/servers/raw-ws.ts', options);
  }
}
