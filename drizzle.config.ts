import { defineConfig } from 'drizzle-kit';

// Generates the SQL migrations in drizzle/ from src/db/schema.ts (`npm run db:generate`).
// The server applies them itself at start; `npm run db:migrate` applies them alone.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
});
