/**
 * `node src/main.ts` in a child process, as `npm start` runs it, for tests
 * (test/helpers/process.ts) and benchmarks (bench/cross-instance.ts). bench/ imports
 * this module, so it imports nothing test-only (no vitest).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/**
 * Children still running. A server must not outlive the process that started it when
 * that ends early: a timed-out hook, an interrupted run, a benchmark that threw.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface SpawnedServer {
  child: ChildProcess;
  /** Everything it has written to stdout and stderr so far. */
  output: () => string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
  /**
   * Its addresses once it listens. Rejects when it exits first, or when it takes longer
   * than the start timeout (it is killed then: no half-started server is left behind).
   */
  listening: Promise<{ url: string; wsUrl: string }>;
}

/**
 * Starts a server on 127.0.0.1 and a free port with `env` over the defaults
 * (LOG_LEVEL=info: the "scrible listening" line is how it says where it listens).
 */
export function spawnServer(env: Record<string, string>, startTimeoutMs: number): SpawnedServer {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const listening = new Promise<{ url: string; wsUrl: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start:\n${output}`));
    }, startTimeoutMs);
    let listened = false;
    // Read both pipes to the end, so a chatty server never blocks on a full one.
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // Once listening, only collect.
      if (listened) return;
      const match = /"url":"(http:\/\/[^"]+)".*"msg":"scrible listening"/.exec(output);
      if (match) {
        listened = true;
        clearTimeout(timer);
        resolve({ url: match[1]!, wsUrl: match[1]!.replace(/^http/, 'ws') });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return { child, output: () => output, exited, listening };
}
