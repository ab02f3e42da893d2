/** The cluster bench's result (bench/cluster.ts) and its markdown table. */
import type { Summary } from './stats.ts';

/** Load shape. `margin` s of writing before and after the measured window keep it in steady state. */
export interface ClusterLoad {
  instances: number;
  rooms: number;
  clientsPerRoom: number;
  splitShare: number;
  updatesPerSecond: number;
  payloadBytes: number;
  /** Clients connected, nobody writing: the instances' fixed cost. */
  idleSeconds: number;
  /** At least 10 s: PostgreSQL reports an idle backend's statistics up to 10 s late, and the joins' must not land in the window. */
  warmupSeconds: number;
  windowSeconds: number;
  marginSeconds: number;
}

export interface ClusterResult {
  bench: 'cluster';
  date: string;
  quick: boolean;
  machine: { cpus: string; loadBefore: number[]; loadAfter: number[] };
  load: ClusterLoad;
  placement: { roomsPerInstance: number[]; splitRooms: number };
  /** Length of the window the counters cover. */
  measuredSeconds: number;
  latencyMs: { sameInstance: Summary; crossInstance: Summary; writerAck: Summary };
  updatesSent: number;
  updatesPerSecond: number;
  deliveries: number;
  deliveriesPerSecond: number;
  lost: number;
  duplicated: number;
  /** Clients connected, nobody writing. */
  idle: {
    instanceCores: number[];
    databaseBackendCores: number;
    redisCommandsPerSecond: number;
    redisCallsPerSecond: Record<string, number>;
  };
  cpu: {
    instanceMicrosPerUpdate: number;
    instanceCores: number[];
    instanceCoresTotal: number;
    /** Backends connected to the scratch database (the instances' pools). */
    databaseBackendCores: number;
    databaseBackends: number;
    /** Whole redis-server: other users of a shared Redis count too. */
    redisCores: number;
    loadClientCores: number;
    instanceMicrosPerDelivery: number;
  };
  postgres: {
    transactionsPerSecond: number;
    insertsPerSecond: number;
    updatesPerSecond: number;
    deletesPerSecond: number;
    /** Cluster-wide WAL (other databases on the server count too). */
    walBytesPerSecond: number;
    tablesPerSecond: Record<string, { inserted: number; deleted: number }>;
  };
  redis: {
    /** Server-wide counters (INFO): other users of a shared Redis count too. */
    commandsPerSecond: number;
    publishesPerSecond: number;
    netInputBytesPerSecond: number;
    netOutputBytesPerSecond: number;
    callsPerSecond: Record<string, number>;
    /** What our pattern subscriber saw on the run's channels: exact for this run. */
    channelMessagesPerSecond: number;
    channelBytesPerSecond: number;
    channelMessagesByKindPerSecond: Record<string, number>;
  };
  perThousandActiveRooms: {
    postgresInsertsPerSecond: number;
    postgresTransactionsPerSecond: number;
    postgresWalBytesPerSecond: number;
    redisPublishesPerSecond: number;
    redisCommandsPerSecond: number;
    redisInputBytesPerSecond: number;
    redisOutputBytesPerSecond: number;
    instanceCores: number;
    databaseBackendCores: number;
    redisCores: number;
  };
}

const latency = (s: Summary) => `${s.p50} / ${s.p99} (${s.count})`;
const list = (entries: Record<string, number>) =>
  Object.entries(entries)
    .map(([name, n]) => `${name} ${n}`)
    .join(', ');

/** One table: the load, the latencies, and what it cost, measured and per 1,000 active rooms. */
export function clusterMarkdown(r: ClusterResult): string {
  const l = r.load;
  const k = r.perThousandActiveRooms;
  const rows: Array<[string, string]> = [
    [
      'load',
      `${l.instances} instances, ${l.rooms} rooms × ${l.clientsPerRoom} clients (${r.placement.splitRooms} split across 2 instances), 1 writer/room at ${l.updatesPerSecond} updates/s of ~${l.payloadBytes} B`,
    ],
    ['rooms per home instance', r.placement.roomsPerInstance.join(' / ')],
    ['delivery p50 / p99 ms (count), same instance', latency(r.latencyMs.sameInstance)],
    ['delivery p50 / p99 ms (count), cross instance', latency(r.latencyMs.crossInstance)],
    ['writer ack p50 / p99 ms (durable log)', latency(r.latencyMs.writerAck)],
    ['updates/s, deliveries/s', `${r.updatesPerSecond}, ${r.deliveriesPerSecond}`],
    ['lost / duplicated', `${r.lost} / ${r.duplicated}`],
    ['instance CPU, cores each (total)', `${r.cpu.instanceCores.join(' / ')} (${r.cpu.instanceCoresTotal})`],
    ['instance CPU µs per update, per delivery', `${r.cpu.instanceMicrosPerUpdate}, ${r.cpu.instanceMicrosPerDelivery}`],
    ['idle (connected, nobody writing): instance cores each', r.idle.instanceCores.join(' / ')],
    ['idle: PostgreSQL backend cores', `${r.idle.databaseBackendCores}`],
    ['idle: Redis commands/s', `${r.idle.redisCommandsPerSecond}: ${list(r.idle.redisCallsPerSecond)}`],
    ['PostgreSQL backend CPU, cores', `${r.cpu.databaseBackendCores} (${r.cpu.databaseBackends} backends)`],
    ['Redis CPU, cores (whole server)', `${r.cpu.redisCores}`],
    [
      'PostgreSQL transactions/s, inserts/s, deletes/s',
      `${r.postgres.transactionsPerSecond}, ${r.postgres.insertsPerSecond}, ${r.postgres.deletesPerSecond}`,
    ],
    [
      'PostgreSQL inserts/s by table',
      Object.entries(r.postgres.tablesPerSecond)
        .map(([name, t]) => `${name} +${t.inserted} −${t.deleted}`)
        .join(', '),
    ],
    ['PostgreSQL WAL bytes/s (server-wide)', `${r.postgres.walBytesPerSecond}`],
    ['Redis commands/s (server-wide)', `${r.redis.commandsPerSecond}: ${list(r.redis.callsPerSecond)}`],
    [
      'Redis messages/s on the run’s channels, by kind',
      `${r.redis.channelMessagesPerSecond}: ${list(r.redis.channelMessagesByKindPerSecond)}`,
    ],
    ['Redis bytes/s in / out (server-wide)', `${r.redis.netInputBytesPerSecond} / ${r.redis.netOutputBytesPerSecond}`],
    [
      '**per 1,000 active rooms**: PostgreSQL inserts/s, transactions/s',
      `${k.postgresInsertsPerSecond}, ${k.postgresTransactionsPerSecond}`,
    ],
    ['**per 1,000 active rooms**: PostgreSQL WAL bytes/s', `${k.postgresWalBytesPerSecond}`],
    ['**per 1,000 active rooms**: Redis publishes/s, commands/s', `${k.redisPublishesPerSecond}, ${k.redisCommandsPerSecond}`],
    ['**per 1,000 active rooms**: Redis bytes/s in / out', `${k.redisInputBytesPerSecond} / ${k.redisOutputBytesPerSecond}`],
    [
      '**per 1,000 active rooms**: CPU cores (instances / PostgreSQL backends / Redis)',
      `${k.instanceCores} / ${k.databaseBackendCores} / ${k.redisCores}`,
    ],
  ];
  const header = `Run ${r.date}${r.quick ? ' (quick)' : ''} on ${r.machine.cpus}; load average ${r.machine.loadBefore.join(' ')} before, ${r.machine.loadAfter.join(' ')} after; counters over ${r.measuredSeconds} s.`;
  const width = Math.max(...rows.map(([m]) => m.length));
  const table = [
    `| ${'measure'.padEnd(width)} | value |`,
    `| ${'-'.repeat(width)} | ----- |`,
    ...rows.map(([m, v]) => `| ${m.padEnd(width)} | ${v} |`),
  ];
  return `${header}\n\n${table.join('\n')}`;
}
