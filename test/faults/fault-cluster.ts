import { guest } from '../helpers/api.ts';
import { testPrefix } from '../helpers/cluster.ts';
import { createTestStorage, type TestStorage } from '../helpers/db.ts';
import { startServerProcess, type ServerProcess } from '../helpers/process.ts';
import { freePort, type RedisServer, startRedisServer } from '../helpers/redis-server.ts';
import { TEST_SECRET } from '../helpers/server.ts';

/** Snapshots follow changes quickly and rooms unload as their last client leaves, so schedules hit both often. */
const FAULT_ENV = {
  ROOM_KEEP_LOADED_MS: '0',
  SNAPSHOT_DEBOUNCE_MS: '50',
  SNAPSHOT_MAX_DEBOUNCE_MS: '200',
};

/** Two cores shared with other work: a start can take far longer than on an idle machine. */
const START_TIMEOUT_MS = 300_000;

interface Slot {
  port: number;
  process: ServerProcess | undefined;
}

/**
 * Long-lived processes shared by many schedules (each schedule takes a room of its
 * own): `slots` instances on one PostgreSQL database and a private `redis-server`,
 * each on a fixed port so that a restarted instance is where its clients reconnect,
 * plus a verifier instance on the same database without Redis, which only ever
 * shows what is stored.
 */
export class FaultCluster {
  readonly storage: TestStorage;
  readonly redis: RedisServer;
  readonly verifier: ServerProcess;
  /** A guest whose token opens every (public) room. */
  readonly token: string;
  private readonly slots: Slot[];
  private readonly env: Record<string, string>;
  private redisUp = true;
  /** Instances that exited without being killed, since the last `takeCrashes()`. */
  private crashes: string[] = [];

  private constructor(parts: {
    storage: TestStorage;
    redis: RedisServer;
    verifier: ServerProcess;
    token: string;
    slots: Slot[];
    env: Record<string, string>;
  }) {
    this.storage = parts.storage;
    this.redis = parts.redis;
    this.verifier = parts.verifier;
    this.token = parts.token;
    this.slots = parts.slots;
    this.env = parts.env;
  }

  static async start(instances: number): Promise<FaultCluster> {
    const storage = await createTestStorage('postgres');
    let redis: RedisServer | undefined;
    let verifier: ServerProcess | undefined;
    let cluster: FaultCluster | undefined;
    try {
      redis = await startRedisServer();
      const base = { JWT_SECRET: TEST_SECRET, DATA_DIR: storage.dataDir, DATABASE_URL: storage.databaseUrl!, ...FAULT_ENV };
      // The verifier migrates the database first; the instances then start side by side.
      verifier = await startServerProcess({ ...base, INSTANCE_ID: 'verifier' }, { startTimeoutMs: START_TIMEOUT_MS });
      const env = { ...base, REDIS_URL: redis.url, REDIS_PREFIX: testPrefix() };
      const slots: Slot[] = [];
      for (let i = 0; i < instances; i++) slots.push({ port: await freePort(), process: undefined });
      cluster = new FaultCluster({ storage, redis, verifier, token: (await guest(verifier.url, 'Faults')).token, slots, env });
      await cluster.prepare();
      return cluster;
    } catch (error) {
      // Nothing started here may outlive a failed start.
      if (cluster) await cluster.close();
      else {
        verifier?.child.kill('SIGKILL');
        await redis?.stop();
        await storage.drop();
      }
      throw error;
    }
  }

  get instances(): number {
    return this.slots.length;
  }

  wsUrl(instance: number): string {
    return `ws://127.0.0.1:${this.slot(instance).port}`;
  }

  httpUrl(instance: number): string {
    return `http://127.0.0.1:${this.slot(instance).port}`;
  }

  isAlive(instance: number): boolean {
    return this.slot(instance).process !== undefined;
  }

  get isRedisUp(): boolean {
    return this.redisUp;
  }

  /** Every instance running and Redis up, as each schedule starts. */
  async prepare(): Promise<void> {
    if (!this.redisUp) await this.startRedis();
    await Promise.all(this.slots.map((_, instance) => (this.isAlive(instance) ? undefined : this.restart(instance))));
  }

  async kill(instance: number): Promise<void> {
    const slot = this.slot(instance);
    const running = slot.process;
    if (!running) return;
    slot.process = undefined;
    running.child.kill('SIGKILL');
    await running.exited;
  }

  async restart(instance: number): Promise<void> {
    const slot = this.slot(instance);
    if (slot.process) return;
    const started = await startServerProcess(
      { ...this.env, PORT: String(slot.port), INSTANCE_ID: `instance-${instance + 1}` },
      // Restarted inside one schedule, it serves the schedules after it too.
      { startTimeoutMs: START_TIMEOUT_MS, outlivesTest: true },
    );
    slot.process = started;
    // Only `kill` ends an instance; any other exit is a crash the schedule reports.
    void started.exited.then((code) => {
      if (slot.process !== started) return;
      slot.process = undefined;
      this.crashes.push(`instance-${instance + 1} exited by itself (code ${code}):\n${started.output().slice(-4000)}`);
    });
  }

  async stopRedis(): Promise<void> {
    this.redisUp = false;
    await this.redis.stop();
  }

  async startRedis(): Promise<void> {
    await this.redis.start();
    this.redisUp = true;
  }

  takeCrashes(): string[] {
    const crashes = this.crashes;
    this.crashes = [];
    return crashes;
  }

  /** The instances' recent output, for a failure report. */
  output(): string {
    return this.slots.map((slot, i) => `--- instance-${i + 1}\n${slot.process?.output().slice(-4000) ?? '(down)'}`).join('\n');
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((_, instance) => this.kill(instance)));
    this.verifier.child.kill('SIGKILL');
    await this.verifier.exited;
    await this.redis.stop();
    await this.storage.drop();
  }

  private slot(instance: number): Slot {
    const slot = this.slots[instance];
    if (!slot) throw new Error(`no instance ${instance}`);
    return slot;
  }
}
