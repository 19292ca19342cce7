import { defineConfig } from 'drizzle-kit';

// SQLite; drizzle.postgres.config.ts is its PostgreSQL twin. Both use the casing passed to drizzle() in src/db.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/sqlite/schema.ts',
  out: './migrations/sqlite',
  casing: 'snake_case',
});
