import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { prepareDatabase } from './startup.js';
import { describeStartupError } from './startup-errors.js';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const { db, seeded } = await prepareDatabase(config, { seed: true });
  const app = await buildApp(config, { db });
  app.log.info(
    { database: db.describe(), engine: db.dialect, migrations: 'applied', sampleLoaded: seeded },
    'database ready',
  );

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down: finishing in-flight requests');
    // Fastify stops accepting, lets in-flight requests finish, then the onClose hook closes the database.
    const force = setTimeout(() => {
      app.log.error('shutdown timed out; exiting');
      process.exit(1);
    }, 10_000);
    force.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'error while closing');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  console.error(describeStartupError(error) ?? error);
  process.exit(1);
});
