import { defineConfig } from 'vitest/config';

// Tests that only make sense on SQLite (its single writer, its files), and the OpenAPI fuzzing, which
// exercises the HTTP layer (the same on both engines) and is too long to run twice.
const SQLITE_ONLY = ['tests/db/sqlite-*.test.ts', 'tests/http/fuzz.test.ts'];

if (!process.env.TEST_DATABASE_URL) {
  console.log(
    'PostgreSQL: PGlite stands in; tests that need a real server (several processes) skip. Set TEST_DATABASE_URL to run them.',
  );
}

export default defineConfig({
  test: {
    // Drops the PostgreSQL template databases the workers leave on a TEST_DATABASE_URL server.
    globalSetup: ['tests/helpers/drop-test-databases.ts'],
    pool: 'forks',
    setupFiles: ['tests/setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    // Every test file runs once per engine: the same suite proves both (drizzle's own layout).
    projects: [
      {
        extends: true,
        test: {
          name: 'sqlite',
          include: ['tests/**/*.test.ts'],
          env: { QUIRE_TEST_ENGINE: 'sqlite' },
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'postgres',
          include: ['tests/**/*.test.ts'],
          exclude: SQLITE_ONLY,
          env: { QUIRE_TEST_ENGINE: 'postgres' },
          // PGlite's first start in a worker takes seconds (more on a busy machine); a server does not.
          testTimeout: process.env.TEST_DATABASE_URL ? 20_000 : 90_000,
          // PGlite takes seconds to start and most of a gigabyte: each worker keeps its instances
          // across test files, and two workers are enough on this 2-core machine.
          isolate: false,
          maxWorkers: 2,
          // After the SQLite half: the two halves would otherwise compete for the same two cores.
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
