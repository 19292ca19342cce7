import { type BuildOptions, buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';
import type { DatabaseHandles } from '../../src/db/client.js';
import * as postgresTables from '../../src/db/postgres/schema.js';
import type { Tables } from '../../src/db/schema.js';
import * as sqliteTables from '../../src/db/sqlite/schema.js';
import { closeAfterTest } from './cleanup.js';
import { openTestDatabase, TEST_ENGINE } from './databases.js';

export { TEST_ENGINE } from './databases.js';

/** The tables of the engine this run tests, to inspect what is stored. */
export const tables: Tables = TEST_ENGINE === 'postgres' ? postgresTables : (sqliteTables as unknown as Tables);

export interface TestClock {
  now: Date;
  advance(ms: number): void;
}

export function createClock(start = '2026-06-01T12:00:00.000Z'): TestClock {
  const clock = {
    now: new Date(start),
    advance(ms: number) {
      clock.now = new Date(clock.now.getTime() + ms);
    },
  };
  return clock;
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return { ...loadConfig({ DATABASE_URL: ':memory:', LOG_LEVEL: 'silent', SEED_ON_EMPTY: 'false' }), ...overrides };
}

/**
 * A fresh app on a fresh, migrated, empty database of the engine under test (QUIRE_TEST_ENGINE),
 * removed after the test.
 */
export async function createTestApp(
  options: {
    config?: Partial<Config>;
    clock?: TestClock;
    traceSql?: (sql: string) => void;
    db?: DatabaseHandles;
    /** Background work on timers (default off: tests run it with `app.background.drain()`). */
    background?: boolean;
    dispatch?: BuildOptions['dispatch'];
    /** Receives the app's log lines (set config.logLevel too: tests log nothing by default). */
    logStream?: BuildOptions['logStream'];
  } = {},
) {
  const clock = options.clock ?? createClock();
  const db = options.db ?? (await openTestDatabase(options.traceSql ? { trace: options.traceSql } : {}));
  const app = await buildApp(testConfig(options.config), {
    db,
    now: () => clock.now,
    background: options.background ?? false,
    ...(options.dispatch && { dispatch: options.dispatch }),
    ...(options.logStream && { logStream: options.logStream }),
  });
  closeAfterTest(() => app.close());
  return { app, db: app.db, clock };
}
