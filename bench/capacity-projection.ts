// The projection in docs/capacity.md: units of each resource needed against active
// rooms, from a bench/cluster.ts result and the per-unit budgets below (assumptions,
// argued in the doc). Prints the table and writes docs/capacity-projection.svg/.png.
//
//   node bench/capacity-projection.ts bench/results/cluster-<day>.json
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { projectionChart } from './lib/charts.ts';
import type { ClusterResult } from './lib/cluster-report.ts';

/** Budgets per unit: what one unit is planned to carry at about 60 % of its ceiling. */
const BUDGET = {
  /** One Node process on one vCPU (the event loop is one thread). */
  instanceCores: 0.6,
  /** Measured 10,000 idle connections at 13.2 KiB each (bench/README.md); keep a reconnect storm short. */
  instanceConnections: 10_000,
  /** One Redis shard (one thread): publishes/s, between this machine's 19k/s unpipelined and 209k/s pipelined. */
  redisPublishesPerSecond: 50_000,
  /** One PostgreSQL primary (16–32 vCPU, NVMe): log rows inserted/s (each is deleted again by compaction). */
  postgresRowsPerSecond: 20_000,
};

/** Users per active room in the projection (1M users over 100,000 rooms). */
const USERS_PER_ROOM = 10;
/** Fan-out cost of one more delivery (bench/README.md fan-out, scrible-pg, quiet machine). */
const MICROS_PER_DELIVERY = 43.3;

export function project(result: ClusterResult, rooms: number) {
  const k = result.perThousandActiveRooms;
  const thousands = rooms / 1000;
  const extraReaders = USERS_PER_ROOM - result.load.clientsPerRoom;
  const cores = thousands * k.instanceCores + rooms * extraReaders * result.load.updatesPerSecond * MICROS_PER_DELIVERY * 1e-6;
  return {
    rooms,
    users: rooms * USERS_PER_ROOM,
    instanceCores: Math.round(cores),
    instances: Math.ceil(Math.max(cores / BUDGET.instanceCores, (rooms * USERS_PER_ROOM) / BUDGET.instanceConnections)),
    redisPublishesPerSecond: Math.round(thousands * k.redisPublishesPerSecond),
    redisShards: Math.ceil((thousands * k.redisPublishesPerSecond) / BUDGET.redisPublishesPerSecond),
    postgresRowsPerSecond: Math.round(thousands * k.postgresInsertsPerSecond),
    postgresPrimaries: Math.ceil((thousands * k.postgresInsertsPerSecond) / BUDGET.postgresRowsPerSecond),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) throw new Error('usage: node bench/capacity-projection.ts bench/results/cluster-<day>.json');
  const result = JSON.parse(readFileSync(file, 'utf8')) as ClusterResult;
  const rows = [1_000, 3_000, 10_000, 30_000, 100_000].map((rooms) => project(result, rooms));
  console.table(rows);
  await projectionChart(
    rows.flatMap((r) => [
      { rooms: r.rooms, resource: 'app instances (1 vCPU)', units: r.instances },
      { rooms: r.rooms, resource: 'Redis shards', units: r.redisShards },
      { rooms: r.rooms, resource: 'PostgreSQL primaries', units: r.postgresPrimaries },
    ]),
    fileURLToPath(new URL('../docs/capacity-projection', import.meta.url)),
    `Projected units per active rooms (${USERS_PER_ROOM} users/room, ${result.load.updatesPerSecond} updates/s per room)`,
  );
}
