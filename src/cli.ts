import { parseArgs } from 'node:util';
import { seedSampleContent } from '../seeds/load.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/client.js';
import { migrateDatabase } from './db/migrate.js';

const USAGE = `Usage: npm run cli -- <command>

Commands:
  migrate   apply pending migrations
  seed      add the sample content (idempotent: adds what is missing, matched by slug)`;

const COMMANDS = new Set(['migrate', 'seed']);

async function main(argv: string[]): Promise<number> {
  const { positionals } = parseArgs({ args: argv, allowPositionals: true, strict: true, options: {} });
  const [command] = positionals;
  if (!command || command === 'help') {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  if (!COMMANDS.has(command)) {
    console.error(`Unknown command: ${command}\n\n${USAGE}`);
    return 2;
  }
  const config = loadConfig(process.env);
  const db = openDatabase({ url: config.databaseUrl, synchronous: config.sqliteSynchronous });
  try {
    await migrateDatabase(db.migrator);
    switch (command) {
      case 'migrate':
        console.log(`Migrations applied to ${config.databaseUrl}`);
        return 0;
      case 'seed': {
        const added = await seedSampleContent({ withTransaction: db.withTransaction, now: new Date() });
        console.log(`Sample content: ${added.articles} article(s) and ${added.products} product(s) added`);
        return 0;
      }
      default:
        console.error(`Unknown command: ${command}\n\n${USAGE}`);
        return 2;
    }
  } finally {
    db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
