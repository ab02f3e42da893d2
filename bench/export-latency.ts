/**
 * Export latency bench: sync latency (writer → readers, p50/p99) of a busy room on one
 * server, without and with exports of a 1,000-shape board in another room running
 * all the time. The clients run in a child process (bench/export-latency-clients.ts);
 * everything listens on 127.0.0.1. Target: p50 and p99 at most 10 % higher with exports.
 *   node bench/export-latency.ts [--quick]    (prints one JSON line)
 * Uses PostgreSQL when BENCH_DATABASE_URL is set, otherwise an embedded PGlite;
 * BENCH_FORMATS=png,pdf picks the export formats cycled through (default: all four).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { HocuspocusProvider, HocuspocusProviderWebsocket } from '@hocuspocus/provider';
import * as Y from 'yjs';
import { BENCH_LIMITS_ENV } from './lib/targets.ts';
import { loadConfig } from '../src/config.ts';
import { writeBoardToYDoc, type Board } from '../src/render/index.ts';
import { createServer } from '../src/server.ts';
import { arrowProps, geoProps, richText } from '../test/helpers/tldraw-records.ts';
import { benchEmptyLabel, gridBoard, gridShape } from './lib/grid-board.ts';

const SHAPES = 1000;
const EXPORTS_IN_FLIGHT = 2;
const FORMATS = (process.env.BENCH_FORMATS?.split(',') ?? ['png', 'svg', 'pdf', 'json']) as Array<'png' | 'svg' | 'pdf' | 'json'>;
const CLIENTS = fileURLToPath(new URL('./export-latency-clients.ts', import.meta.url));

/** 1,000 shapes: labelled geo boxes, text, draw strokes and arrows. */
function bigBoard(): Board {
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < SHAPES; i++) {
    const common = { color: 'blue', size: 'm', scale: 1 };
    if (i % 3 === 0) {
      records.push(gridShape(i, 'geo', geoProps({ ...common, h: 80, dash: 'draw', fill: 'solid', richText: richText(`Box ${i}`) })));
    } else if (i % 3 === 1) {
      records.push(
        gridShape(i, 'text', { ...common, w: 100, font: 'sans', textAlign: 'start', autoSize: true, richText: richText(`Note ${i}`) }),
      );
    } else {
      records.push(gridShape(i, 'arrow', arrowProps({ ...common, end: { x: 100, y: 40 }, richText: benchEmptyLabel() })));
    }
  }
  return gridBoard(records);
}

async function api(base: string, method: string, url: string, token?: string, body?: unknown): Promise<any> {
  const response = await fetch(`${base}${url}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
  return response.json();
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] ?? NaN;
const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Runs the bench.
 * @param options - `quick`: one short round (CI smoke run); otherwise three longer rounds.
 * @returns the figures printed as one JSON line.
 */
export async function run(options: { quick?: boolean } = {}): Promise<object> {
  const rounds = options.quick ? 1 : 3;
  const phaseMs = options.quick ? 3_000 : 6_000;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'scrible-bench-'));
  const config = loadConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    JWT_SECRET: 'bench-secret-export-latency',
    WEB_DIR: '/nonexistent',
    // The bench measures sync latency beside exports, not the rate limits.
    ...BENCH_LIMITS_ENV,
    EXPORTS_PER_HOUR: '100000',
    ...(process.env.BENCH_DATABASE_URL ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {}),
  });
  const server = await createServer(config);
  await server.listen();
  const clients = fork(CLIENTS, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const killTimer = setTimeout(() => clients.kill('SIGKILL'), 10 * 60_000).unref();
  const ask = <T>(message: object, answer: string) =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (reply: { type: string }) => {
        if (reply.type !== answer) return;
        clients.off('message', onMessage);
        resolve(reply as T);
      };
      clients.on('message', onMessage);
      clients.once('exit', (code) => reject(new Error(`clients exited with ${code}`)));
      clients.send(message);
    });

  let big: { provider: HocuspocusProvider; socket: HocuspocusProviderWebsocket } | undefined;
  try {
    const { token } = await api(server.url, 'POST', '/api/auth/guest', undefined, { name: 'Bench' });
    const busy = await api(server.url, 'POST', '/api/rooms', token, { name: 'Busy', visibility: 'public' });
    const bigRoom = await api(server.url, 'POST', '/api/rooms', token, { name: 'Big', visibility: 'private' });

    // The big board is loaded in this server (its owner stays connected), the usual case.
    const doc = new Y.Doc();
    const socket = new HocuspocusProviderWebsocket({ url: server.wsUrl });
    const provider = new HocuspocusProvider({ websocketProvider: socket, name: bigRoom.id, document: doc, token });
    provider.attach();
    big = { provider, socket };
    await new Promise<void>((resolve) => provider.on('synced', () => resolve()));
    writeBoardToYDoc(doc, bigRoom.id, bigBoard());
    while (provider.hasUnsyncedChanges) await new Promise((resolve) => setTimeout(resolve, 20));

    await ask({ type: 'start', wsUrl: server.wsUrl, roomId: busy.id, token, readers: 4 }, 'ready');

    // Keeps EXPORTS_IN_FLIGHT exports of the big room queued or rendering while `on`.
    let on = false;
    const exportMs: number[] = [];
    let failed = 0;
    let next = 0;
    async function exporter(): Promise<void> {
      while (on) {
        const started = performance.now();
        const made = await api(server.url, 'POST', `/api/exports/${bigRoom.id}`, token, { format: FORMATS[next++ % FORMATS.length] });
        for (;;) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          const view = await api(server.url, 'GET', `/api/exports/${made.id}`, token);
          if (view.status === 'completed' || view.status === 'failed') {
            if (view.status === 'failed') failed++;
            exportMs.push(performance.now() - started);
            break;
          }
        }
      }
    }
    const withExports = async (ms: number) => {
      on = true;
      const workers = Array.from({ length: EXPORTS_IN_FLIGHT }, () => exporter());
      const { samples } = await ask<{ samples: number[] }>({ type: 'measure', ms }, 'samples');
      on = false;
      await Promise.all(workers);
      return samples;
    };
    const without = async (ms: number) => (await ask<{ samples: number[] }>({ type: 'measure', ms }, 'samples')).samples;

    // Warm up: JIT, the render worker's start and font parsing.
    await without(1_000);
    await withExports(1_500);
    exportMs.length = 0;

    // The server's own event-loop delay, to tell blocking on its main thread from CPU contention.
    const loop = { without: monitorEventLoopDelay({ resolution: 1 }), with: monitorEventLoopDelay({ resolution: 1 }) };
    const base: number[] = [];
    const loaded: number[] = [];
    for (let r = 0; r < rounds; r++) {
      loop.without.enable();
      base.push(...(await without(phaseMs)));
      loop.without.disable();
      loop.with.enable();
      loaded.push(...(await withExports(phaseMs)));
      loop.with.disable();
    }
    base.sort((a, b) => a - b);
    loaded.sort((a, b) => a - b);
    exportMs.sort((a, b) => a - b);
    const [p50, p99, p50x, p99x] = [percentile(base, 50), percentile(base, 99), percentile(loaded, 50), percentile(loaded, 99)];
    return {
      bench: 'export-latency',
      quick: !!options.quick,
      database: server.database.kind,
      shapes: SHAPES,
      renderThreads: server.exports.poolSize,
      samples: { without: base.length, with: loaded.length },
      withoutExports: { p50Ms: round(p50), p99Ms: round(p99) },
      withExports: {
        p50Ms: round(p50x),
        p99Ms: round(p99x),
        exportsDone: exportMs.length,
        exportsFailed: failed,
        exportMedianMs: Math.round(percentile(exportMs, 50)),
      },
      eventLoopDelayP99Ms: { without: round(loop.without.percentile(99) / 1e6), with: round(loop.with.percentile(99) / 1e6) },
      increasePercent: { p50: Math.round((p50x / p50 - 1) * 100), p99: Math.round((p99x / p99 - 1) * 100) },
      targetPercent: 10,
      withinTarget: p50x <= p50 * 1.1 && p99x <= p99 * 1.1,
    };
  } finally {
    clearTimeout(killTimer);
    if (clients.connected) clients.send({ type: 'stop' });
    big?.provider.destroy();
    big?.socket.destroy();
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  console.log(JSON.stringify(await run({ quick: process.argv.includes('--quick') })));
}
