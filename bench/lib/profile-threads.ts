/**
 * Preloaded (`--import`) by `bench/profile.ts` into the profiled server, where every
 * worker thread inherits it: profiles worker threads into `PROFILE_THREAD_DIR`.
 *
 * `--cpu-prof` writes a worker's profile only when the thread ends by itself, and the
 * server ends its workers with `terminate()`, which runs no code in the thread. So the
 * profile is written when the thread is told to close (a `{ type: 'close' }` message,
 * which the embedded database's worker gets before it shuts PGlite down), or when it
 * exits by itself. Export render workers get neither (they are terminated), so they are
 * not profiled; none runs in the scenarios `bench/profile.ts` drives.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import { isMainThread, parentPort, threadId } from 'node:worker_threads';

const dir = process.env.PROFILE_THREAD_DIR;
if (!isMainThread && dir && parentPort) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  // 1 ms, as `--cpu-prof` samples the main thread, so both profiles read alike.
  session.post('Profiler.setSamplingInterval', { interval: 1000 });
  session.post('Profiler.start');
  let written = false;
  const write = () => {
    if (written) return;
    written = true;
    // A session on its own thread answers synchronously, before the thread goes on.
    session.post('Profiler.stop', (error, result) => {
      if (error) console.error(`thread ${threadId}: profile not written: ${error.message}`);
      else {
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, `thread-${process.pid}-${threadId}.cpuprofile`), JSON.stringify(result.profile));
      }
    });
    session.disconnect();
  };
  parentPort.on('message', (message: unknown) => {
    if ((message as { type?: unknown } | null)?.type === 'close') write();
  });
  process.on('exit', write);
}
