import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'sqlite',
  schema: './src/db/schema.ts',
  out: './migrations',
  // Must match the casing passed to drizzle() in src/db/client.ts.
  casing: 'snake_case',
});
