import type { FastifyInstance } from 'fastify';
import { afterEach } from 'vitest';
import { buildApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/config.js';

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

const open: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((app) => app.close()));
});

/** A fresh app on a fresh, migrated, empty temporary database (writer + reader connections), removed after the test. */
export async function createTestApp(
  options: { config?: Partial<Config>; clock?: TestClock; traceSql?: (sql: string) => void } = {},
) {
  const clock = options.clock ?? createClock();
  const app = await buildApp(testConfig(options.config), {
    now: () => clock.now,
    ...(options.traceSql ? { traceSql: options.traceSql } : {}),
  });
  open.push(app);
  return { app, db: app.db, clock };
}
