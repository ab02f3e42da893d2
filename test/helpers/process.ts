import type { ChildProcess } from 'node:child_process';
import { onTestFinished } from 'vitest';
import { spawnServer } from './server-process.ts';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  wsUrl: string;
  output: () => string;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

export interface StartOptions {
  /** How long to wait for it to listen (default 90 s: a busy 2-core runner). */
  startTimeoutMs?: number;
  /**
   * The caller ends the process itself, even when it is started inside a test: a
   * long-lived cluster restarts instances during one test for the tests after it.
   */
  outlivesTest?: boolean;
}

/** Starts `node src/main.ts` as `npm start` would, and waits for it to listen. */
export async function startServerProcess(env: Record<string, string>, options: StartOptions = {}): Promise<ServerProcess> {
  const server = spawnServer(env, options.startTimeoutMs ?? 90_000);
  if (!options.outlivesTest) endWithTest(server.child, server.output);
  const { url, wsUrl } = await server.listening;
  return { child: server.child, url, wsUrl, output: server.output, exited: server.exited };
}

/**
 * Kills the server when the running test finishes, and fails that test if the server
 * crashed on an unhandled error (Node signs such a report with its version).
 * Outside a test (a beforeAll hook) there is nothing to register: the caller kills it.
 */
function endWithTest(child: ChildProcess, output: () => string): void {
  try {
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (/^Node\.js v\d+|UnhandledPromiseRejection/m.test(output())) {
        throw new Error(`the server process crashed on an unhandled error:\n${output().slice(-4000)}`);
      }
    });
  } catch {
    // Not inside a test.
  }
}
