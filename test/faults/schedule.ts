import { Prng } from './prng.ts';

/**
 * One fault schedule: which instances and clients take part, and the steps they go
 * through. Everything is derived from the seed, so `SEED=n` replays it exactly
 * (timings on a busy machine vary; the steps do not).
 */
export type Step =
  /** The client puts `count` new records (not waited on). */
  | { kind: 'write'; client: number; count: number }
  /** Waits (bounded) until the client's unsyncedChanges is back to 0. */
  | { kind: 'awaitAck'; client: number }
  /** Lets debounced snapshots, unloads and reconnects happen. */
  | { kind: 'pause'; ms: number }
  /** The client's socket closes; it stays closed until `reconnect`. */
  | { kind: 'disconnect'; client: number }
  | { kind: 'reconnect'; client: number }
  /** The tab closes for good (whatever it had not got acknowledged is gone); a new, empty one opens on `instance`. */
  | { kind: 'leave'; client: number; instance: number }
  | { kind: 'redisStop' }
  | { kind: 'redisStart' }
  /** SIGKILL; the instance stays down until `restart`. */
  | { kind: 'kill'; instance: number }
  | { kind: 'restart'; instance: number };

export interface Schedule {
  seed: number;
  /** How many instances (of the long-lived ones) the schedule uses. */
  instances: number;
  /** The instance each client starts on. */
  clients: number[];
  steps: Step[];
  /** At the end, after every client closed: SIGKILL every instance (else they unload the room and store). */
  killAllAtEnd: boolean;
}

export interface ScheduleLimits {
  /** Instances available to the schedule (2 or 3). */
  maxInstances: number;
}

export function generateSchedule(seed: number, limits: ScheduleLimits = { maxInstances: 3 }): Schedule {
  const random = new Prng(seed);
  const instances = random.int(2, limits.maxInstances);
  const clients = Array.from({ length: random.int(2, 4) }, (_, i) => (i < instances ? i : random.int(0, instances - 1)));
  const initialClients = clients.slice();
  const connected = clients.map(() => true);
  const alive = Array.from({ length: instances }, () => true);
  let redisUp = true;
  const steps: Step[] = [];
  const length = random.int(14, 26);

  while (steps.length < length) {
    const client = random.int(0, clients.length - 1);
    const instance = random.int(0, instances - 1);
    const kind: Step['kind'] = random.weighted<Step['kind']>({
      write: 30,
      awaitAck: 16,
      pause: 12,
      disconnect: connected[client] ? 5 : 0,
      reconnect: connected[client] ? 0 : 10,
      leave: 9,
      redisStop: redisUp ? 5 : 0,
      redisStart: redisUp ? 0 : 5,
      // At least one instance stays up mid-schedule, so that something can be acknowledged.
      kill: alive[instance] && alive.filter(Boolean).length > 1 ? 3 : 0,
      restart: alive[instance] ? 0 : 8,
    });
    switch (kind) {
      case 'write':
        steps.push({ kind, client, count: random.int(1, 8) });
        break;
      case 'awaitAck':
      case 'disconnect':
      case 'reconnect':
        connected[client] = kind === 'disconnect' ? false : kind === 'reconnect' ? true : connected[client]!;
        steps.push({ kind, client });
        break;
      case 'pause':
        steps.push({ kind, ms: random.pick([20, 60, 150, 300, 600]) });
        break;
      case 'leave':
        connected[client] = true;
        clients[client] = instance;
        steps.push({ kind, client, instance });
        break;
      case 'redisStop':
      case 'redisStart':
        redisUp = kind === 'redisStart';
        steps.push({ kind });
        break;
      case 'kill':
      case 'restart':
        alive[instance] = kind === 'restart';
        steps.push({ kind, instance });
        break;
    }
  }
  // Redis returns before the end more often than not, as in the reported scenario.
  if (!redisUp && random.chance(0.7)) steps.push({ kind: 'redisStart' });
  steps.push({ kind: 'pause', ms: random.pick([0, 100, 400]) });
  return { seed, instances, clients: initialClients, steps, killAllAtEnd: random.chance(0.5) };
}

/** One line per step, for failure messages. */
export function describeSchedule(schedule: Schedule): string {
  const lines = [
    `seed ${schedule.seed}: ${schedule.instances} instances, clients on [${schedule.clients.join(', ')}], ${schedule.killAllAtEnd ? 'SIGKILL all' : 'clean unload'} at the end`,
  ];
  schedule.steps.forEach((step, index) => {
    const { kind, ...rest } = step;
    const details = Object.entries(rest)
      .map(([key, value]) => `${key}=${value}`)
      .join(' ');
    lines.push(`  ${String(index + 1).padStart(2)}. ${kind}${details ? ` ${details}` : ''}`);
  });
  return lines.join('\n');
}

/**
 * The scenario issue 10 reported, with the timings varied by `variant`: Redis stops;
 * a client on instance 0 writes 30 acknowledged updates and leaves (the room unloads
 * there after a store); a client on instance 1, which never saw them, keeps writing
 * and storing newer snapshots; Redis returns, more writes; every instance is SIGKILLed.
 * A fresh load must still hold all 30.
 */
export function reportedScenario(variant: number): Schedule {
  const random = new Prng(1_000_000 + variant);
  const steps: Step[] = [{ kind: 'redisStop' }];
  for (let written = 0; written < 30; ) {
    const count = Math.min(30 - written, random.int(1, 6));
    steps.push({ kind: 'write', client: 0, count }, { kind: 'awaitAck', client: 0 });
    written += count;
  }
  steps.push({ kind: 'leave', client: 0, instance: 1 }, { kind: 'pause', ms: random.pick([0, 60, 300]) });
  for (let round = 0; round < 3; round++) {
    steps.push(
      { kind: 'write', client: 1, count: random.int(1, 5) },
      { kind: 'awaitAck', client: 1 },
      // Long enough for a debounced snapshot on instance 1 (SNAPSHOT_MAX_DEBOUNCE_MS=200).
      { kind: 'pause', ms: random.pick([60, 250, 400]) },
    );
  }
  steps.push(
    { kind: 'redisStart' },
    { kind: 'pause', ms: random.pick([0, 150, 500]) },
    { kind: 'write', client: 1, count: random.int(1, 5) },
    { kind: 'awaitAck', client: 1 },
  );
  return { seed: -variant, instances: 2, clients: [0, 1], steps, killAllAtEnd: true };
}
