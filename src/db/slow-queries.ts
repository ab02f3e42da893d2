import type { Logger } from '../log.ts';

/** Statements slower than this are logged. */
export const SLOW_QUERY_MS = 100;

/**
 * Wraps every async method of a store so a call slower than `thresholdMs` is logged
 * with its statement name (`rooms.get`, `snapshots.append`, …). The wrapper only
 * reads the clock; nothing is logged for fast calls.
 *
 * @param store - a RoomStore, SnapshotStore, … instance (wrapped in place).
 * @param name - the prefix of the statement names.
 * @param options - `skip`: methods that are not one statement (queues, close).
 * @example instrumentStore(new RoomStore(db), 'rooms', log)
 */
export function instrumentStore<T extends object>(
  store: T,
  name: string,
  log: Logger,
  options: { thresholdMs?: number; skip?: string[] } = {},
): T {
  const thresholdMs = options.thresholdMs ?? SLOW_QUERY_MS;
  const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(store)).filter(
    (key) => key !== 'constructor' && !options.skip?.includes(key) && typeof (store as Record<string, unknown>)[key] === 'function',
  );
  for (const method of methods) {
    const original = (store as Record<string, (...args: unknown[]) => unknown>)[method]!.bind(store);
    (store as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const started = performance.now();
      const result = original(...args);
      if (!(result instanceof Promise)) return result;
      const report = () => {
        const ms = performance.now() - started;
        if (ms >= thresholdMs) log.warn({ statement: `${name}.${method}`, ms: Math.round(ms) }, 'slow database query');
      };
      result.then(report, report);
      return result;
    };
  }
  return store;
}
