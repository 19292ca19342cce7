import { defineConfig } from 'drizzle-kit';

// PostgreSQL; drizzle.config.ts is its SQLite twin. Both use the casing passed to drizzle() in src/db.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/db/postgres/schema.ts',
  out: './migrations/postgres',
  casing: 'snake_case',
});
