import { setTimeout as sleep } from 'node:timers/promises';
import { call } from '../helpers/api.ts';
import { openProvider, recordIds } from '../helpers/provider.ts';
import type { FaultCluster } from './fault-cluster.ts';
import type { Schedule, Step } from './schedule.ts';
import { TrackedClient } from './tracked-client.ts';

export interface ScheduleResult {
  roomId: string;
  written: number;
  acknowledged: number;
  /** Acknowledged writes the stored room does not contain. */
  lost: string[];
  /** Records served that nobody wrote (a corrupt load). */
  unknown: string[];
  /** Instances that exited without being killed (an unhandled error, a crash). */
  crashes: string[];
  /** What happened, with times, for a failure report. */
  events: string[];
}

/** Longest wait for a client's acknowledgement in an `awaitAck` step; a dead instance never gives one. */
const ACK_WAIT_MS = 3_000;
/** Longest wait for the verifier to serve the stored room. */
const VERIFY_WAIT_MS = 20_000;

/**
 * Runs one schedule on a new room of the cluster, then closes every client, and
 * asks the verifier (a fresh load from the database) for the room: every
 * acknowledged write must be there. The cluster is left for the next schedule
 * to `prepare()`.
 */
export async function runSchedule(cluster: FaultCluster, schedule: Schedule): Promise<ScheduleResult> {
  await cluster.prepare();
  const started = Date.now();
  const events: string[] = [];
  const note = (text: string) => events.push(`${String(Date.now() - started).padStart(6)} ms  ${text}`);

  const created = await call(cluster.httpUrl(0), 'POST', '/api/rooms', {
    token: cluster.token,
    body: { name: `faults ${schedule.seed}`, visibility: 'public' },
  });
  if (created.status !== 201) throw new Error(`room creation failed: ${created.status} ${JSON.stringify(created.body)}`);
  const roomId = created.body.id as string;
  const open = (instance: number) => new TrackedClient(cluster.wsUrl(instance), instance, roomId, cluster.token);
  const clients = schedule.clients.map(open);
  const written = new Set<string>();
  const acknowledged = new Set<string>();
  const retire = (client: TrackedClient) => {
    client.close();
    for (const id of client.acknowledged) acknowledged.add(id);
  };

  try {
    for (const [index, step] of schedule.steps.entries()) {
      note(`${index + 1}. ${describeStep(step)}`);
      await runStep(step);
    }
  } finally {
    for (const client of clients) retire(client);
  }
  note(`clients closed; ${acknowledged.size} of ${written.size} writes acknowledged`);
  if (schedule.killAllAtEnd) {
    await Promise.all(Array.from({ length: schedule.instances }, (_, instance) => cluster.kill(instance)));
    note('every instance killed (SIGKILL)');
  }

  const served = await storedRecords(cluster, roomId);
  note(`verifier serves ${served.size} records`);
  return {
    roomId,
    written: written.size,
    acknowledged: acknowledged.size,
    lost: [...acknowledged].filter((id) => !served.has(id)).sort(),
    unknown: [...served].filter((id) => !written.has(id)).sort(),
    crashes: cluster.takeCrashes(),
    events,
  };

  async function runStep(step: Step): Promise<void> {
    switch (step.kind) {
      case 'write': {
        const client = clients[step.client]!;
        for (let i = 0; i < step.count; i++) {
          const id = `shape:${String(written.size).padStart(4, '0')}-c${step.client}-i${client.instance}`;
          written.add(id);
          client.write(id, { seed: schedule.seed });
        }
        return;
      }
      case 'awaitAck': {
        const client = clients[step.client]!;
        const deadline = Date.now() + ACK_WAIT_MS;
        while (client.hasPending && Date.now() < deadline) await sleep(10);
        note(`   ${client.hasPending ? 'still unacknowledged' : 'acknowledged'}`);
        return;
      }
      case 'pause':
        await sleep(step.ms);
        return;
      case 'disconnect':
        clients[step.client]!.disconnect();
        return;
      case 'reconnect':
        clients[step.client]!.reconnect();
        return;
      case 'leave':
        retire(clients[step.client]!);
        clients[step.client] = open(step.instance);
        return;
      case 'redisStop':
        await cluster.stopRedis();
        return;
      case 'redisStart':
        await cluster.startRedis();
        return;
      case 'kill':
        await cluster.kill(step.instance);
        return;
      case 'restart':
        await cluster.restart(step.instance);
        return;
    }
  }
}

/** The room as a fresh load from the database serves it. */
async function storedRecords(cluster: FaultCluster, roomId: string): Promise<Set<string>> {
  const reader = openProvider(cluster.verifier.wsUrl, roomId, cluster.token);
  try {
    const deadline = Date.now() + VERIFY_WAIT_MS;
    while (!reader.provider.isSynced) {
      if (reader.failures.length) throw new Error(`the verifier refused the room: ${reader.failures.join(', ')}`);
      if (Date.now() > deadline) throw new Error('the verifier did not serve the room in time');
      await sleep(10);
    }
    return new Set(recordIds(reader.doc, roomId));
  } finally {
    reader.destroy();
  }
}

function describeStep(step: Step): string {
  const { kind, ...rest } = step;
  return [kind, ...Object.entries(rest).map(([key, value]) => `${key}=${value}`)].join(' ');
}
