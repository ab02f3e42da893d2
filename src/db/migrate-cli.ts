import { loadConfig } from '../config.ts';
import { createDatabase } from './client.ts';

// `npm run db:migrate`: apply pending migrations and exit (the Docker/k8s one-shot job).
try {
  const config = loadConfig(process.env);
  const database = createDatabase(config);
  await database.migrate();
  await database.close();
  console.log(`migrations applied (${database.kind})`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
