import { ConfigError, loadConfig } from './config.ts';
import { createServer } from './server.ts';

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

const server = await createServer(config);
// A stray rejection deep in a dependency must not take every room down with it.
process.on('unhandledRejection', (reason) => server.log.error({ err: reason }, 'unhandled promise rejection'));
await server.listen();

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    server.log.info({ signal }, 'shutting down: storing documents');
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  });
}
