import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

// `npm run test:faults -- --schedules 500 --seed-start 1000` (or `--seed 17` for one):
// the randomized fault test of test/faults with many more schedules than `npm test`
// runs, in one worker (each schedule already runs three instances).
const { values } = parseArgs({
  options: {
    schedules: { type: 'string', default: '500' },
    'seed-start': { type: 'string', default: '1' },
    seed: { type: 'string' },
  },
});
for (const [name, value] of Object.entries(values)) {
  if (value !== undefined && !/^\d+$/.test(value)) {
    console.error(`test:faults: --${name} must be a whole number, got ${JSON.stringify(value)}`);
    process.exit(2);
  }
}

const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const env: NodeJS.ProcessEnv = { ...process.env, FAULT_SCHEDULES: values.schedules, FAULT_SEED_START: values['seed-start'] };
if (values.seed) env.SEED = values.seed;
const result = spawnSync(process.execPath, [vitest, 'run', 'test/faults/', '--maxWorkers=1'], {
  stdio: 'inherit',
  env,
  cwd: fileURLToPath(new URL('..', import.meta.url)),
});
process.exit(result.status ?? 1);
