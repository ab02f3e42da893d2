import { ConfigError, loadConfig } from './config.ts';

// `npm start`: one instance from the environment; SIGTERM/SIGINT store every loaded
// document before the process exits.
let config: ReturnType<typeof loadConfig>;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`scrible: ${error.message}`);
    process.exit(1);
  }
  throw error;
}

// Loaded only once the configuration is valid: a bad value is reported at once,
// without first loading the whole server.
const { createServer } = await import('./server.ts');
const server = await createServer(config);
await server.listen();

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal, timeoutMs: config.shutdownTimeoutMs }, 'shutting down: storing documents');
    // close() gives up at the deadline by itself; this is the backstop if a step ignores it.
    setTimeout(() => {
      server.log.error('shutdown did not finish in time; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
