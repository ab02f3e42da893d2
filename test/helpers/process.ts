import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { onTestFinished } from 'vitest';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

/**
 * Children still running. A server started outside a test (a long-lived one, killed
 * by its owner) must not outlive the test process when that ends early: a timed-out
 * hook, an interrupted run.
 */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

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
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  if (!options.outlivesTest) endWithTest(child, () => output);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      // Never leave a half-started server behind.
      child.kill('SIGKILL');
      reject(new Error(`server did not start:\n${output}`));
    }, options.startTimeoutMs ?? 90_000);
    let listening = false;
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // Once listening, only collect: a long-lived server's output grows.
      if (listening) return;
      const match = /"url":"(http:\/\/[^"]+)".*"msg":"scrible listening"/.exec(output);
      if (match) {
        listening = true;
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
  return { child, url, wsUrl: url.replace(/^http/, 'ws'), output: () => output, exited };
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
