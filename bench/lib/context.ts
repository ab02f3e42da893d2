/** What every built-in scenario gets from the runner. */
import type { LoadPool } from './load.ts';

export interface ScenarioContext {
  quick: boolean;
  /** Two load worker processes, reset between scenarios. */
  pool: LoadPool;
  log: (line: string) => void;
}
