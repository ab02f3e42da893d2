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

/**
 * Starts `node src/main.ts` as `npm start` would, and waits for it to listen
 * (`startTimeoutMs`, default 20 s; more for tests that start many on a busy machine).
 */
export async function startServerProcess(env: Record<string, string>, options: { startTimeoutMs?: number } = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, [MAIN], {
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    onTestFinished(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      // Node ends a process on an unhandled rejection or uncaught exception and signs
      // the report with its version: a test whose server crashed that way fails.
      if (/^Node\.js v\d+|UnhandledPromiseRejection/m.test(output)) {
        throw new Error(`the server process crashed on an unhandled error:\n${output.slice(-4000)}`);
      }
    });
  } catch {
    // Started outside a test (a beforeAll hook, long-lived across tests): the caller kills it.
  }
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
