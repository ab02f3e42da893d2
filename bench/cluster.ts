// A 4-instance topology under steady load, and what it costs PostgreSQL and Redis.
//
//   node bench/cluster.ts [--quick] [--split=0.1] [--instances=4] [--rooms=200] [--rate=2]
//
// (--split, --instances, --rooms or --rate write cluster-<day>[-quick]-custom.*)
//
// Four `node src/main.ts` children share one scratch PostgreSQL database and one Redis
// key prefix, as a production cluster behind deploy/nginx.conf does. Rooms are placed as
// nginx places them (lib/room-placement.ts): all clients of a room on its home instance,
// except a share of split rooms whose readers straddle two instances. One writer per room
// sends small tldraw-like updates; lean clients in forked load workers measure delivery
// latency (same-instance and cross-instance deliveries apart), and lib/cluster-counters.ts
// reads the instances' CPU, PostgreSQL's and Redis's counters over a fixed window in the
// middle of the write phase. Writes bench/results/cluster-<day>[-quick].json and .md.
//
// Everything runs on 127.0.0.1; children, the scratch database, its data directories and
// the Redis keys are removed at the end, after a failure, on Ctrl-C and on the time bound.
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import postgres from 'postgres';
import { spawnServer, type SpawnedServer } from '../test/helpers/server-process.ts';
import { type ClusterLoad, clusterMarkdown, type ClusterResult } from './lib/cluster-report.ts';
import { difference, openCounters, type ClusterCounters } from './lib/cluster-counters.ts';
import { LoadPool } from './lib/load.ts';
import type { ClientSpec } from './lib/load-worker.ts';
import { placeRooms } from './lib/room-placement.ts';
import { sleep, summarize } from './lib/stats.ts';
import { BENCH_LIMITS_ENV, BENCH_SECRET, POSTGRES_URL, createRooms, userToken } from './lib/targets.ts';

const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const HERE = fileURLToPath(new URL('./', import.meta.url));

export type { ClusterLoad } from './lib/cluster-report.ts';

const FULL: ClusterLoad = {
  instances: 4,
  rooms: 200,
  clientsPerRoom: 5,
  splitShare: 0.1,
  updatesPerSecond: 2,
  payloadBytes: 200,
  idleSeconds: 5,
  warmupSeconds: 10,
  windowSeconds: 30,
  marginSeconds: 1.5,
};
const QUICK: ClusterLoad = { ...FULL, rooms: 40, clientsPerRoom: 3, idleSeconds: 3, windowSeconds: 5, marginSeconds: 1.2 };

/** The whole run gives up (and cleans up) after this. */
const TIME_BOUND_MS = { quick: 4 * 60_000, full: 12 * 60_000 };

interface Instance {
  server: SpawnedServer;
  url: string;
  wsUrl: string;
  dataDir: string;
}

async function stopInstance(instance: Instance): Promise<void> {
  const { child } = instance.server;
  if (child.exitCode === null && child.signalCode === null) {
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.kill('SIGTERM');
    await instance.server.exited;
    clearTimeout(timer);
  }
  rmSync(instance.dataDir, { recursive: true, force: true });
}

async function deleteKeys(redisUrl: string, prefix: string): Promise<number> {
  const redis = new Redis(redisUrl, { connectionName: 'scrible-bench-cleanup' });
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) deleted += await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

const perSecond = (value: number, seconds: number) => Math.round((value / seconds) * 10) / 10;
const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;

/**
 * Runs the bench once and returns its figures (what the standalone run writes).
 *
 * @param options - `quick`: 40 rooms × 3 clients over 5 s instead of 200 × 5 over 30 s;
 *   `splitShare`, `instances` override the load's.
 */
export async function run(
  options: { quick?: boolean; splitShare?: number; instances?: number; rooms?: number; updatesPerSecond?: number } = {},
): Promise<ClusterResult> {
  const base = options.quick ? QUICK : FULL;
  const load: ClusterLoad = {
    ...base,
    splitShare: options.splitShare ?? base.splitShare,
    instances: options.instances ?? base.instances,
    rooms: options.rooms ?? base.rooms,
    updatesPerSecond: options.updatesPerSecond ?? base.updatesPerSecond,
  };
  const log = (line: string) => process.stderr.write(`[cluster] ${line}\n`);
  const loadBefore = loadavg();
  const database = `scrible_cluster_${randomBytes(5).toString('hex')}`;
  const prefix = `scrible-bench-cluster-${randomBytes(4).toString('hex')}`;
  const admin = postgres(POSTGRES_URL, { max: 1, onnotice: () => {} });
  const databaseUrl = new URL(POSTGRES_URL);
  databaseUrl.pathname = `/${database}`;
  const instances: Instance[] = [];
  const pools: LoadPool[] = [];
  let scratch: postgres.Sql | undefined;
  let counters: ClusterCounters | undefined;

  let cleaned: Promise<void> | undefined;
  const cleanUp = () =>
    (cleaned ??= (async () => {
      await Promise.allSettled(pools.map((pool) => pool.close()));
      await counters?.close();
      await Promise.allSettled(instances.map(stopInstance));
      await scratch?.end();
      await admin
        .unsafe(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
        .catch((error: Error) => log(`drop database: ${error.message}`));
      await admin.end();
      const keys = await deleteKeys(REDIS_URL, prefix).catch((error: Error) => (log(`delete keys: ${error.message}`), 0));
      log(`cleaned up: ${instances.length} instances stopped, ${database} dropped, ${keys} Redis keys deleted`);
    })());
  const onSignal = () => void cleanUp().finally(() => process.exit(130));
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const bound = setTimeout(
    () => {
      log('time bound reached: stopping');
      void cleanUp().finally(() => process.exit(1));
    },
    options.quick ? TIME_BOUND_MS.quick : TIME_BOUND_MS.full,
  );
  bound.unref();

  try {
    await admin.unsafe(`CREATE DATABASE ${database}`);
    const start = async (i: number) => {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'scrible-cluster-'));
      const server = spawnServer(
        {
          NODE_ENV: 'production',
          JWT_SECRET: BENCH_SECRET,
          DATABASE_URL: databaseUrl.toString(),
          REDIS_URL,
          REDIS_PREFIX: prefix,
          INSTANCE_ID: `cluster-${i + 1}`,
          DATA_DIR: dataDir,
          WEB_DIR: '/nonexistent',
          ...BENCH_LIMITS_ENV,
          // e.g. `--cpu-prof --cpu-prof-dir=/tmp/profiles` to see where the instances spend their time.
          ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
        },
        60_000,
      );
      const instance = { server, dataDir, url: '', wsUrl: '' };
      instances.push(instance);
      Object.assign(instance, await server.listening);
      return instance;
    };
    // The first instance migrates the scratch database; the others start together.
    await start(0);
    await Promise.all(Array.from({ length: load.instances - 1 }, (_, i) => start(i + 1)));
    log(`${load.instances} instances up; creating ${load.rooms} rooms`);

    const rooms = await createRooms(instances[0]!.url, load.rooms, 'cluster');
    const placement = placeRooms(rooms, load.instances, load.clientsPerRoom - 1, load.splitShare);
    // Writers and same-instance readers in one pool, cross-instance readers in another,
    // so the two kinds of delivery are measured apart with the workers as they are.
    const local = new LoadPool(2);
    const remote = new LoadPool(1);
    pools.push(local, remote);
    let opened = 0;
    for (const [i, instance] of instances.entries()) {
      const specs = (cross: boolean): ClientSpec[] =>
        placement.clients
          .map((client, n) => ({ client, n }))
          .filter(({ client }) => client.instance === i && client.crossInstance === cross)
          .map(({ client, n }) => ({
            room: rooms[client.roomIndex]!,
            roomIndex: client.roomIndex,
            token: userToken(n),
            role: client.role,
          }));
      for (const [pool, cross] of [
        [local, false],
        [remote, true],
      ] as const) {
        const result = await pool.open(`${instance.wsUrl}/collab`, 'hocuspocus', specs(cross));
        if (result.failures) throw new Error(`${result.failures} clients failed to open: ${result.sampleFailures.join('; ')}`);
        opened += result.opened;
      }
    }
    scratch = postgres(databaseUrl.toString(), { max: 1, onnotice: () => {} });
    counters = await openCounters({
      admin,
      scratch,
      database,
      redisUrl: REDIS_URL,
      prefix,
      instancePids: () => instances.map((instance) => instance.server.child.pid!),
    });
    log(`${opened} clients open (${placement.splitRooms.length} split rooms); ${load.idleSeconds} s idle, then warming up`);
    await sleep(1000);
    const idleBefore = await counters.snapshot();
    await sleep(load.idleSeconds * 1000);
    const idle = difference(idleBefore, await counters.snapshot());

    const phase0 = await local.write(0, load.updatesPerSecond, load.warmupSeconds * 1000, load.payloadBytes);
    await Promise.all([local.collect(0, phase0), remote.collect(0, phase0)]);

    const clientCpu0 = (await local.clientCpuSeconds()) + (await remote.clientCpuSeconds());
    const phaseSeconds = load.windowSeconds + 2 * load.marginSeconds;
    log(`measuring: ${phaseSeconds} s of writing, counters over the middle ${load.windowSeconds} s`);
    const writing = local.write(1, load.updatesPerSecond, phaseSeconds * 1000, load.payloadBytes);
    await sleep(load.marginSeconds * 1000);
    const before = await counters.snapshot();
    await sleep(load.windowSeconds * 1000);
    const after = await counters.snapshot();
    const sent = await writing;
    await sleep(1000);
    const [same, cross] = await Promise.all([local.collect(1, sent), remote.collect(1, sent)]);
    const clientCpuSeconds = same.clientCpuSeconds + cross.clientCpuSeconds - clientCpu0;
    const delta = difference(before, after);

    const updatesSent = Object.values(sent).reduce((a, b) => a + b, 0);
    const delivered = [same, cross].reduce((n, r) => n + Object.values(r.delivered).reduce((a, b) => a + b, 0), 0);
    const seconds = delta.seconds;
    const perThousandRooms = (value: number) => round((value / seconds) * (1000 / load.rooms), 1);
    const instanceCores = delta.instanceCpuSeconds.reduce((a, b) => a + b, 0) / seconds;
    const publishes = delta.redis.calls.publish ?? 0;
    return {
      bench: 'cluster',
      date: new Date().toISOString(),
      quick: Boolean(options.quick),
      machine: {
        cpus: `${cpus()[0]?.model.trim() ?? '?'} × ${cpus().length}`,
        loadBefore: loadBefore.map((n) => round(n, 1)),
        loadAfter: loadavg().map((n) => round(n, 1)),
      },
      load,
      placement: { roomsPerInstance: placement.roomsPerInstance, splitRooms: placement.splitRooms.length },
      measuredSeconds: round(seconds, 2),
      latencyMs: {
        sameInstance: summarize(same.latencies),
        crossInstance: summarize(cross.latencies),
        writerAck: summarize(same.ackLatencies),
      },
      updatesSent,
      updatesPerSecond: perSecond(updatesSent, phaseSeconds),
      deliveries: delivered,
      deliveriesPerSecond: perSecond(delivered, phaseSeconds),
      lost: same.lost + cross.lost,
      duplicated: same.duplicated + cross.duplicated,
      idle: {
        instanceCores: idle.instanceCpuSeconds.map((s) => round(s / idle.seconds)),
        databaseBackendCores: round(idle.databaseBackendCpuSeconds / idle.seconds),
        redisCommandsPerSecond: perSecond(idle.redis.commands, idle.seconds),
        redisCallsPerSecond: Object.fromEntries(Object.entries(idle.redis.calls).map(([name, n]) => [name, perSecond(n, idle.seconds)])),
      },
      cpu: {
        instanceMicrosPerUpdate: round(
          (delta.instanceCpuSeconds.reduce((a, b) => a + b, 0) / (updatesSent * (seconds / phaseSeconds))) * 1e6,
          1,
        ),
        instanceCores: delta.instanceCpuSeconds.map((s) => round(s / seconds)),
        instanceCoresTotal: round(instanceCores),
        databaseBackendCores: round(delta.databaseBackendCpuSeconds / seconds),
        databaseBackends: delta.databaseBackends,
        redisCores: round(delta.redis.cpuSeconds / seconds),
        loadClientCores: round(clientCpuSeconds / (phaseSeconds + 1)),
        instanceMicrosPerDelivery: round(
          (delta.instanceCpuSeconds.reduce((a, b) => a + b, 0) / (delivered * (seconds / phaseSeconds))) * 1e6,
          1,
        ),
      },
      postgres: {
        transactionsPerSecond: perSecond(delta.postgres.transactions, seconds),
        insertsPerSecond: perSecond(delta.postgres.inserted, seconds),
        updatesPerSecond: perSecond(delta.postgres.updated, seconds),
        deletesPerSecond: perSecond(delta.postgres.deleted, seconds),
        walBytesPerSecond: perSecond(delta.postgres.walBytes, seconds),
        tablesPerSecond: Object.fromEntries(
          Object.entries(delta.postgres.tables).map(([name, t]) => [
            name,
            { inserted: perSecond(t.inserted, seconds), deleted: perSecond(t.deleted, seconds) },
          ]),
        ),
      },
      redis: {
        commandsPerSecond: perSecond(delta.redis.commands, seconds),
        publishesPerSecond: perSecond(publishes, seconds),
        netInputBytesPerSecond: perSecond(delta.redis.netInputBytes, seconds),
        netOutputBytesPerSecond: perSecond(delta.redis.netOutputBytes, seconds),
        callsPerSecond: Object.fromEntries(Object.entries(delta.redis.calls).map(([name, n]) => [name, perSecond(n, seconds)])),
        channelMessagesPerSecond: perSecond(delta.channels.messages, seconds),
        channelBytesPerSecond: perSecond(delta.channels.bytes, seconds),
        channelMessagesByKindPerSecond: Object.fromEntries(
          Object.entries(delta.channels.byKind).map(([kind, n]) => [kind, perSecond(n, seconds)]),
        ),
      },
      perThousandActiveRooms: {
        postgresInsertsPerSecond: perThousandRooms(delta.postgres.inserted),
        postgresTransactionsPerSecond: perThousandRooms(delta.postgres.transactions),
        postgresWalBytesPerSecond: perThousandRooms(delta.postgres.walBytes),
        redisPublishesPerSecond: perThousandRooms(publishes),
        redisCommandsPerSecond: perThousandRooms(delta.redis.commands),
        redisInputBytesPerSecond: perThousandRooms(delta.redis.netInputBytes),
        redisOutputBytesPerSecond: perThousandRooms(delta.redis.netOutputBytes),
        instanceCores: round(instanceCores * (1000 / load.rooms), 2),
        databaseBackendCores: round((delta.databaseBackendCpuSeconds / seconds) * (1000 / load.rooms), 2),
        redisCores: round((delta.redis.cpuSeconds / seconds) * (1000 / load.rooms), 3),
      },
    };
  } finally {
    clearTimeout(bound);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanUp();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const argument = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const quick = process.argv.includes('--quick');
  const number = (name: string) => {
    const value = argument(name);
    return value === undefined ? undefined : Number(value);
  };
  const result = await run({
    quick,
    splitShare: number('split'),
    instances: number('instances'),
    rooms: number('rooms'),
    updatesPerSecond: number('rate'),
  });
  const custom = ['split', 'instances', 'rooms', 'rate'].some((name) => argument(name) !== undefined);
  const stem = `${HERE}results/cluster-${result.date.slice(0, 10)}${quick ? '-quick' : ''}${custom ? '-custom' : ''}`;
  mkdirSync(`${HERE}results`, { recursive: true });
  const table = clusterMarkdown(result);
  writeFileSync(`${stem}.json`, `${JSON.stringify(result, null, 1)}\n`);
  writeFileSync(`${stem}.md`, `${table}\n`);
  process.stdout.write(`${JSON.stringify(result)}\n\n${table}\n`);
  process.stderr.write(`[cluster] wrote ${stem}.json and .md\n`);
}
