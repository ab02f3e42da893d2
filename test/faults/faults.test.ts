import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultCluster } from './fault-cluster.ts';
import { runSchedule } from './run-schedule.ts';
import { describeSchedule, generateSchedule, reportedScenario, type Schedule } from './schedule.ts';

/**
 * Randomized faults across instances: each seed is one schedule of writes, client
 * disconnects, tabs closing (rooms unload), Redis outages and SIGKILLs on three
 * long-lived instances; afterwards a fresh load from the database must contain every
 * acknowledged write. `SEED=n` replays one schedule; `npm run test:faults --
 * --schedules 500 --seed-start 1000` runs many (FAULT_SCHEDULES, FAULT_SEED_START).
 */
function seeds(): number[] {
  const single = process.env.SEED;
  if (single) return [wholeNumber('SEED', single)];
  const start = wholeNumber('FAULT_SEED_START', process.env.FAULT_SEED_START ?? '1');
  const count = wholeNumber('FAULT_SCHEDULES', process.env.FAULT_SCHEDULES ?? '20');
  return Array.from({ length: count }, (_, i) => start + i);
}

function wholeNumber(name: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, got ${JSON.stringify(value)}`);
  return Number(value);
}

const INSTANCES = 3;

describe('randomized faults across instances', () => {
  let cluster: FaultCluster | undefined;
  const totals = { schedules: 0, written: 0, acknowledged: 0, failedSeeds: [] as number[] };

  beforeAll(async () => {
    cluster = await FaultCluster.start(INSTANCES);
  }, 900_000);

  afterAll(async () => {
    await cluster?.close();
    const list = seeds();
    process.stdout.write(
      `\nfault schedules: seeds ${list[0]}..${list[list.length - 1]}, ${totals.schedules} run, ${totals.acknowledged} of ${totals.written} writes acknowledged, ` +
        `${totals.failedSeeds.length} lost something${totals.failedSeeds.length ? ` (seeds ${totals.failedSeeds.join(', ')})` : ''}\n`,
    );
  }, 60_000);

  async function runAndCheck(schedule: Schedule, reproduce: string): Promise<void> {
    const result = await runSchedule(cluster!, schedule);
    totals.schedules++;
    totals.written += result.written;
    totals.acknowledged += result.acknowledged;
    if (result.lost.length || result.unknown.length || result.crashes.length) {
      totals.failedSeeds.push(schedule.seed);
      const report = [
        `${schedule.seed < 0 ? `scenario variant ${-schedule.seed}` : `seed ${schedule.seed}`} (room ${result.roomId}): ` +
          `${result.lost.length} of ${result.acknowledged} acknowledged writes lost` +
          `${result.unknown.length ? `, ${result.unknown.length} records nobody wrote` : ''}`,
        `lost: ${result.lost.join(' ')}`,
        ...result.crashes,
        `reproduce: ${reproduce}`,
        describeSchedule(schedule),
        'events:',
        ...result.events,
      ].join('\n');
      expect.fail(report);
    }
  }

  // The scenario as reported, three timings: on every run, not only when a seed hits it.
  if (!process.env.SEED) {
    for (const variant of [1, 2, 3]) {
      it(
        `reported scenario: Redis outage, 30 acknowledged writes, unload, newer snapshots elsewhere, SIGKILL all (timing ${variant})`,
        { timeout: 240_000 },
        () => runAndCheck(reportedScenario(variant), 'npx vitest run test/faults -t "reported scenario" --maxWorkers=1'),
      );
    }
  }

  for (const seed of seeds()) {
    it(`seed ${seed}`, { timeout: 240_000 }, () =>
      runAndCheck(generateSchedule(seed, { maxInstances: INSTANCES }), `SEED=${seed} npx vitest run test/faults --maxWorkers=1`),
    );
  }
});
