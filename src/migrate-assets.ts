import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';
import { createServer } from './server.ts';
import { migrateInlineAssets } from './assets/inline-migration.ts';

// `npm run assets:migrate [roomId…]`: move images and videos stored inline in boards
// into the asset store. It runs as one more instance of the server (same environment:
// DATABASE_URL, REDIS_URL, S3_*, PUBLIC_URL), so rooms open elsewhere see the change.
// With the embedded PGlite, stop the server first: only one process may open it.
const config = loadConfig(process.env);
const log = createLogger(config.logLevel, { instance: `${config.instanceId}-assets-migrate` });
const server = await createServer(config, { log });
let failed = false;
try {
  const report = await migrateInlineAssets(
    {
      db: server.database.db,
      documents: server.documents,
      service: server.assets.service,
      log,
      publicUrl: config.publicUrl ?? `http://localhost:${config.port}`,
    },
    process.argv.slice(2).length > 0 ? process.argv.slice(2) : undefined,
  );
  console.log(JSON.stringify(report));
} catch (error) {
  failed = true;
  console.error(error instanceof Error ? error.message : error);
} finally {
  // Stores every changed room before the process ends.
  await server.close();
}
process.exit(failed ? 1 : 0);
