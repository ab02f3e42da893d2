/**
 * What a multi-instance run costs outside the instances: PostgreSQL writes (for one
 * database), Redis commands, bytes and CPU, the instances' and the database backends'
 * CPU time. `snapshot()` reads every counter at once; `difference()` turns two
 * snapshots into deltas. Everything is read from servers on this machine (INFO,
 * pg_stat_*, /proc), so nothing in the measured processes is instrumented.
 */
import { MessageType } from '@hocuspocus/server';
import * as decoding from 'lib0/decoding';
import { Redis } from 'ioredis';
import type postgres from 'postgres';
import { messageYjsSyncStep1, messageYjsSyncStep2, messageYjsUpdate } from 'y-protocols/sync';
import { readCpu } from './targets.ts';

/** Redis's own counters (INFO), server-wide. */
export interface RedisCounts {
  commands: number;
  netInputBytes: number;
  netOutputBytes: number;
  cpuSeconds: number;
  /** calls per command (INFO commandstats). */
  calls: Record<string, number>;
}

export interface CounterSnapshot {
  atMs: number;
  /** CPU seconds per instance (by index). */
  instanceCpu: number[];
  /** CPU seconds of each backend connected to the scratch database, by pid. */
  backendCpu: Record<number, number>;
  database: { xactCommit: number; tupInserted: number; tupUpdated: number; tupDeleted: number };
  /** n_tup_ins / n_tup_del per table of the scratch database. */
  tables: Record<string, { inserted: number; deleted: number }>;
  /** Cluster-wide (other databases on the server count too). */
  walBytes: number;
  redis: RedisCounts;
  /** Our pattern subscriber's view of the run's channels (exact for our prefix). */
  channels: { messages: number; bytes: number; byKind: Record<string, number> };
}

/**
 * The kind of a fan-out message (`<id length><id><document name><type>…`, see
 * @hocuspocus/extension-redis): the Yjs update itself, the anti-entropy state-vector
 * exchange, awareness, or anything else published under the prefix.
 */
function messageKind(payload: Buffer): string {
  try {
    const decoder = decoding.createDecoder(payload.subarray(payload[0]! + 1));
    decoding.readVarString(decoder);
    const type = decoding.readVarUint(decoder);
    if (type === MessageType.Sync || type === MessageType.SyncReply) {
      const sub = decoding.readVarUint(decoder);
      if (sub === messageYjsUpdate) return 'update';
      if (sub === messageYjsSyncStep1) return 'sync-step1';
      if (sub === messageYjsSyncStep2) return 'sync-step2';
    }
    if (type === MessageType.Awareness) return 'awareness';
    if (type === MessageType.QueryAwareness) return 'query-awareness';
    return 'other';
  } catch {
    // Not a Hocuspocus message (access changes and other plain channels under the prefix).
    return 'other';
  }
}

function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0 && !line.startsWith('#')) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

export interface ClusterCounters {
  snapshot(): Promise<CounterSnapshot>;
  close(): Promise<void>;
}

/**
 * @param admin - a connection to another database of the same server (pg_stat_database, pg_stat_wal).
 * @param scratch - a connection to the measured database (pg_stat_user_tables); its own few
 *   queries per snapshot count in that database's transactions too (two per snapshot).
 */
export async function openCounters(options: {
  admin: postgres.Sql;
  scratch: postgres.Sql;
  database: string;
  redisUrl: string;
  prefix: string;
  instancePids: () => number[];
}): Promise<ClusterCounters> {
  const { admin, scratch, database } = options;
  const redis = new Redis(options.redisUrl, { connectionName: 'scrible-bench-counters' });
  const subscriber = new Redis(options.redisUrl, { connectionName: 'scrible-bench-channels' });
  const channels = { messages: 0, bytes: 0, byKind: {} as Record<string, number> };
  subscriber.on('pmessageBuffer', (_pattern: Buffer, _channel: Buffer, payload: Buffer) => {
    channels.messages++;
    channels.bytes += payload.length;
    const kind = messageKind(payload);
    channels.byKind[kind] = (channels.byKind[kind] ?? 0) + 1;
  });
  // Room channels are `<prefix>:<room>`, replies to one instance `<prefix>#reply:<instance>`.
  await subscriber.psubscribe(`${options.prefix}[:#]*`);

  const readCpuIfAlive = (pid: number): number | undefined => {
    try {
      return readCpu(pid);
    } catch {
      return undefined; // the backend ended between the query and the read
    }
  };

  return {
    async snapshot() {
      const [db] = await admin`
        SELECT xact_commit, tup_inserted, tup_updated, tup_deleted
        FROM pg_stat_database WHERE datname = ${database}`;
      const [wal] = await admin`SELECT wal_bytes FROM pg_stat_wal`;
      const backends = await admin`SELECT pid FROM pg_stat_activity WHERE datname = ${database} AND pid <> pg_backend_pid()`;
      const tableRows = await scratch`SELECT relname, n_tup_ins, n_tup_del FROM pg_stat_user_tables`;
      const [stats, commandStats, cpu] = await Promise.all([redis.info('stats'), redis.info('commandstats'), redis.info('cpu')]);
      const statFields = parseInfo(stats);
      const cpuFields = parseInfo(cpu);
      const calls: Record<string, number> = {};
      for (const [key, value] of parseInfo(commandStats)) {
        const match = /calls=(\d+)/.exec(value);
        if (match) calls[key.replace(/^cmdstat_/, '')] = Number(match[1]);
      }
      const backendCpu: Record<number, number> = {};
      for (const { pid } of backends) {
        const seconds = readCpuIfAlive(pid);
        if (seconds !== undefined) backendCpu[pid] = seconds;
      }
      const tables: CounterSnapshot['tables'] = {};
      for (const row of tableRows) tables[row.relname] = { inserted: Number(row.n_tup_ins), deleted: Number(row.n_tup_del) };
      return {
        atMs: performance.now(),
        instanceCpu: options.instancePids().map(readCpu),
        backendCpu,
        database: {
          xactCommit: Number(db!.xact_commit),
          tupInserted: Number(db!.tup_inserted),
          tupUpdated: Number(db!.tup_updated),
          tupDeleted: Number(db!.tup_deleted),
        },
        tables,
        walBytes: Number(wal!.wal_bytes),
        redis: {
          commands: Number(statFields.get('total_commands_processed')),
          netInputBytes: Number(statFields.get('total_net_input_bytes')),
          netOutputBytes: Number(statFields.get('total_net_output_bytes')),
          cpuSeconds: Number(cpuFields.get('used_cpu_user')) + Number(cpuFields.get('used_cpu_sys')),
          calls,
        },
        channels: { ...channels, byKind: { ...channels.byKind } },
      };
    },
    async close() {
      subscriber.disconnect();
      redis.disconnect();
    },
  };
}

export interface CounterDelta {
  seconds: number;
  instanceCpuSeconds: number[];
  /** Backends present at both ends only (pools keep theirs for the whole run). */
  databaseBackendCpuSeconds: number;
  databaseBackends: number;
  postgres: {
    transactions: number;
    inserted: number;
    updated: number;
    deleted: number;
    walBytes: number;
    tables: Record<string, { inserted: number; deleted: number }>;
  };
  redis: RedisCounts;
  channels: { messages: number; bytes: number; byKind: Record<string, number> };
}

/** Counters from `a` to `b`; commands and tables that did not move are left out. */
export function difference(a: CounterSnapshot, b: CounterSnapshot): CounterDelta {
  const moved = (after: Record<string, number>, before: Record<string, number>) =>
    Object.fromEntries(
      Object.entries(after)
        .map(([key, value]) => [key, value - (before[key] ?? 0)] as const)
        .filter(([, value]) => value > 0)
        .sort((x, y) => y[1] - x[1]),
    );
  const tables: CounterDelta['postgres']['tables'] = {};
  for (const [name, after] of Object.entries(b.tables)) {
    const before = a.tables[name] ?? { inserted: 0, deleted: 0 };
    const delta = { inserted: after.inserted - before.inserted, deleted: after.deleted - before.deleted };
    if (delta.inserted || delta.deleted) tables[name] = delta;
  }
  const shared = Object.keys(b.backendCpu).filter((pid) => pid in a.backendCpu);
  return {
    seconds: (b.atMs - a.atMs) / 1000,
    instanceCpuSeconds: b.instanceCpu.map((cpu, i) => cpu - a.instanceCpu[i]!),
    databaseBackendCpuSeconds: shared.reduce((sum, pid) => sum + b.backendCpu[Number(pid)]! - a.backendCpu[Number(pid)]!, 0),
    databaseBackends: shared.length,
    postgres: {
      transactions: b.database.xactCommit - a.database.xactCommit,
      inserted: b.database.tupInserted - a.database.tupInserted,
      updated: b.database.tupUpdated - a.database.tupUpdated,
      deleted: b.database.tupDeleted - a.database.tupDeleted,
      walBytes: b.walBytes - a.walBytes,
      tables,
    },
    redis: {
      commands: b.redis.commands - a.redis.commands,
      netInputBytes: b.redis.netInputBytes - a.redis.netInputBytes,
      netOutputBytes: b.redis.netOutputBytes - a.redis.netOutputBytes,
      cpuSeconds: b.redis.cpuSeconds - a.redis.cpuSeconds,
      calls: moved(b.redis.calls, a.redis.calls),
    },
    channels: {
      messages: b.channels.messages - a.channels.messages,
      bytes: b.channels.bytes - a.channels.bytes,
      byKind: moved(b.channels.byKind, a.channels.byKind),
    },
  };
}
