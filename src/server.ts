import cluster from 'node:cluster';
import { buildApp } from './app.js';
import { primaryLogger, runPrimary } from './cluster.js';
import { loadConfig } from './config.js';
import { openConfiguredDatabase, prepareDatabase } from './startup.js';
import { DatabaseStartupError, describeStartupError } from './startup-errors.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const worker = cluster.isWorker ? cluster.worker?.id : undefined;
  if (config.workers > 0 && cluster.isPrimary) {
    // The primary migrates (and seeds) once, closes its connection, then only supervises.
    const { db, seeded } = await prepareDatabase(config, { seed: true }).catch(databaseFailure(config.databaseUrl));
    await db.close();
    primaryLogger(config.logLevel).info(
      { database: db.describe(), engine: db.dialect, migrations: 'applied', sampleLoaded: seeded },
      'database ready',
    );
    runPrimary(config);
    return;
  }
  // One process migrates on its own; a worker opens what its primary migrated.
  const { db, seeded } =
    worker === undefined
      ? await prepareDatabase(config, { seed: true }).catch(databaseFailure(config.databaseUrl))
      : { db: await openConfiguredDatabase(config).catch(databaseFailure(config.databaseUrl)), seeded: false };
  const app = await buildApp(config, { db });
  const log = worker === undefined ? app.log : app.log.child({ role: 'worker', worker });
  log.info(
    {
      database: db.describe(),
      engine: db.dialect,
      migrations: worker === undefined ? 'applied' : 'by primary',
      sampleLoaded: seeded,
    },
    'database ready',
  );

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, 'shutting down: finishing in-flight requests');
    // Fastify stops accepting, lets in-flight requests finish, then the onClose hook closes the database.
    const force = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
}

/** Rethrows a failure to open or migrate the database with DATABASE_URL attached, for a one-line message. */
function databaseFailure(databaseUrl: string) {
  return (error: unknown): never => {
    throw new DatabaseStartupError(databaseUrl, error);
  };
}

main().catch((error: unknown) => {
  console.error(describeStartupError(error) ?? (error instanceof DatabaseStartupError ? error.cause : error));
  process.exit(1);
});
