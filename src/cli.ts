import { once } from 'node:events';
import { createReadStream, createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { seedSampleContent } from '../seeds/load.js';
import { seedSynthetic } from '../seeds/synthetic.js';
import { ConfigError, loadConfig } from './config.js';
import { type DatabaseHandles, isPostgresUrl } from './db/client.js';
import type { Role } from './db/schema.js';
import { exportDatabase, importDatabase, TransferError } from './db/transfer.js';
import { IdParamsSchema } from './http/common.schemas.js';
import { AppError } from './http/errors.js';
import { type ApiKey, CreateApiKeyBodySchema } from './modules/keys/keys.schemas.js';
import { createKey, listApiKeys, revokeApiKey } from './modules/keys/keys.service.js';
import { prepareDatabase } from './startup.js';

const USAGE = `Usage: npm run cli -- <command>

Commands:
  keys create --role <admin|editor|moderator> --name <label>
            create an API key; the key is printed alone on the last line, and only this once
  keys list
            list every key (id, name, role, prefix, created, last used, revoked)
  keys revoke <id>
            revoke a key; it is refused from the next request on
  migrate   apply pending migrations
  seed      add the sample content (idempotent: adds what is missing, matched by slug)
  seed --articles <N> --comments <M> [--seed <S>]
            add N synthetic articles (sections, tips, tags, products) and M comments in every
            status, with replies; deterministic for a given seed (default 1)
  export [file]
            write every table as JSON lines (to stdout without a file), read in one consistent
            snapshot: the server may keep running
  import [file]
            load an export (from stdin without a file) into an empty database of either engine
  backup <file>
            SQLite: a consistent copy of the live database file (on PostgreSQL, use pg_dump)`;

type Command =
  | { name: 'help' }
  | { name: 'migrate' }
  | { name: 'seed' }
  | { name: 'seed synthetic'; articles: number; comments: number; seed: number }
  | { name: 'keys create'; role: Role; label: string }
  | { name: 'keys list' }
  | { name: 'keys revoke'; id: number }
  | { name: 'export'; file: string | undefined }
  | { name: 'import'; file: string | undefined }
  | { name: 'backup'; file: string };

/** Bad command-line input: exit code 2 with the usage. */
class UsageError extends Error {}

function parseCommandLine(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        role: { type: 'string' },
        name: { type: 'string' },
        articles: { type: 'string' },
        comments: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function parseCreate(values: { role?: string | undefined; name?: string | undefined }): Command {
  // The same rules as POST /v1/admin/keys.
  const parsed = CreateApiKeyBodySchema.safeParse({ role: values.role, name: values.name });
  if (!parsed.success)
    throw new UsageError(parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('\n'));
  return { name: 'keys create', role: parsed.data.role, label: parsed.data.name };
}

function parseCount(flag: string, value: string | undefined, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new UsageError(`--${flag} needs a whole number, got ${value === undefined ? 'nothing' : `"${value}"`}`);
  return n;
}

function parseSeed(values: {
  articles?: string | undefined;
  comments?: string | undefined;
  seed?: string | undefined;
}): Command {
  if (values.articles === undefined && values.comments === undefined && values.seed === undefined)
    return { name: 'seed' };
  return {
    name: 'seed synthetic',
    articles: parseCount('articles', values.articles),
    comments: parseCount('comments', values.comments, 0),
    seed: parseCount('seed', values.seed, 1),
  };
}

function parseRevoke(id: string | undefined): Command {
  const parsed = IdParamsSchema.shape.id.safeParse(id);
  if (!parsed.success)
    throw new UsageError(
      `keys revoke needs a key id (a positive integer), got ${id === undefined ? 'nothing' : `"${id}"`}`,
    );
  return { name: 'keys revoke', id: parsed.data };
}

function parseCommand(argv: string[]): Command {
  const { values, positionals } = parseCommandLine(argv);
  const [command, sub, ...rest] = positionals;
  const name = command === 'keys' ? `keys ${sub ?? ''}`.trim() : (command ?? '');
  if (values.help || name === 'help') return { name: 'help' };
  const maxPositionals =
    name === 'keys revoke' ? 3 : name.startsWith('keys') || ['export', 'import', 'backup'].includes(name) ? 2 : 1;
  if (positionals.length > maxPositionals) throw new UsageError(`Unexpected argument: ${positionals[maxPositionals]}`);
  if (name !== 'keys create' && (values.role !== undefined || values.name !== undefined))
    throw new UsageError('--role and --name belong to "keys create"');
  if (name !== 'seed' && (values.articles !== undefined || values.comments !== undefined || values.seed !== undefined))
    throw new UsageError('--articles, --comments and --seed belong to "seed"');
  switch (name) {
    case 'migrate':
    case 'keys list':
      return { name };
    case 'seed':
      return parseSeed(values);
    case 'keys create':
      return parseCreate(values);
    case 'keys revoke':
      return parseRevoke(rest[0]);
    case 'export':
    case 'import':
      return { name, file: sub };
    case 'backup':
      if (sub === undefined) throw new UsageError('backup needs the file to write the copy to');
      return { name, file: sub };
    case '':
      throw new UsageError('No command given');
    default:
      throw new UsageError(
        command === 'keys'
          ? `Unknown keys command: "${sub ?? ''}" (create, list or revoke)`
          : `Unknown command: ${name}`,
      );
  }
}

/** A progress bar on a terminal; silent when output is piped. */
function progressBar() {
  if (!process.stderr.isTTY) return undefined;
  return (done: number, total: number, label: string) => {
    const width = 30;
    const filled = total === 0 ? width : Math.round((done / total) * width);
    process.stderr.write(
      `\r[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${Math.floor((done / Math.max(total, 1)) * 100)}% ${label} ${done}/${total}  `,
    );
    if (done >= total) process.stderr.write('\n');
  };
}

function formatTable(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => row[i]?.length ?? 0)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

function keyTable(keys: ApiKey[]): string {
  if (keys.length === 0) return 'No API keys.';
  const rows = keys.map((k) => [
    String(k.id),
    k.name,
    k.role,
    k.prefix,
    k.createdAt,
    k.lastUsedAt ?? '-',
    k.revokedAt ?? '-',
  ]);
  return formatTable(['ID', 'NAME', 'ROLE', 'PREFIX', 'CREATED', 'LAST USED', 'REVOKED'], rows);
}

/** Writes to a stream, waiting while its buffer is full. */
function writerTo(stream: Writable) {
  return async (text: string) => {
    if (!stream.write(text)) await once(stream, 'drain');
  };
}

async function exportTo(db: DatabaseHandles, file: string | undefined): Promise<number> {
  if (file === undefined) {
    const summary = await exportDatabase({ db, write: writerTo(process.stdout), onProgress: progressBar() });
    console.error(`Exported ${summary.rows} row(s) from ${summary.tables} tables of ${db.describe()}`);
    return 0;
  }
  // Written beside the file and renamed when complete: a failed export never leaves a truncated file under its name.
  const partial = `${file}.partial`;
  const stream = createWriteStream(partial);
  try {
    await once(stream, 'open');
    const summary = await exportDatabase({ db, write: writerTo(stream), onProgress: progressBar() });
    stream.end();
    await once(stream, 'finish');
    renameSync(partial, file);
    console.log(`Exported ${summary.rows} row(s) from ${summary.tables} tables of ${db.describe()} to ${file}`);
    return 0;
  } catch (error) {
    stream.destroy();
    rmSync(partial, { force: true });
    throw error;
  }
}

async function importFrom(db: DatabaseHandles, file: string | undefined): Promise<number> {
  if (file === undefined && process.stdin.isTTY)
    throw new TransferError('import reads an export from a file, or from stdin: name the file or pipe it in.');
  if (file !== undefined && !existsSync(file)) throw new TransferError(`No such file: ${file}`);
  const input = file === undefined ? process.stdin : createReadStream(file);
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  try {
    const summary = await importDatabase({ db, lines, onProgress: progressBar() });
    console.log(`Imported ${summary.rows} row(s) into ${summary.tables} tables of ${db.describe()}`);
    return 0;
  } finally {
    lines.close();
    if (file !== undefined) input.destroy();
  }
}

/** Runs before the database is opened: a backup must not migrate (or otherwise touch) what it copies. */
async function backup(databaseUrl: string, file: string): Promise<number> {
  if (isPostgresUrl(databaseUrl)) {
    console.error(
      'backup copies a SQLite database file; on PostgreSQL, use pg_dump (for example: pg_dump --format=custom --file=quire.dump "$DATABASE_URL").',
    );
    return 1;
  }
  // Engine code loads only for the engine in use (as in openDatabase).
  const { sqlitePathOf } = await import('./db/sqlite/client.js');
  const { BackupError, backupSqlite } = await import('./db/sqlite/backup.js');
  const source = sqlitePathOf(databaseUrl);
  if (source === null) {
    console.error('DATABASE_URL=:memory: is a temporary database: there is nothing to back up.');
    return 1;
  }
  const bar = progressBar();
  try {
    const { pages } = await backupSqlite({
      source,
      destination: file,
      onProgress: bar && ((copied, total) => bar(copied, total, 'pages')),
    });
    console.log(`Backed up ${source} to ${file} (${pages} pages)`);
    return 0;
  } catch (error) {
    if (!(error instanceof BackupError)) throw error;
    console.error(error.message);
    return 1;
  }
}

async function run(
  command: Exclude<Command, { name: 'help' | 'backup' }>,
  db: DatabaseHandles,
  databaseUrl: string,
): Promise<number> {
  switch (command.name) {
    case 'migrate':
      console.log(`Migrations applied to ${databaseUrl}`);
      return 0;
    case 'seed': {
      const added = await seedSampleContent({ withTransaction: db.withTransaction, now: new Date() });
      console.log(`Sample content: ${added.articles} article(s) and ${added.products} product(s) added`);
      return 0;
    }
    case 'seed synthetic': {
      const started = performance.now();
      const added = await seedSynthetic({
        withTransaction: db.withTransaction,
        read: db.read,
        ...command,
        onProgress: progressBar(),
        refreshStatistics: () => db.refreshStatistics(),
      });
      await db.refreshStatistics();
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      console.log(
        `Synthetic content: ${added.articles} article(s) and ${added.comments} comment(s) added in ${seconds} s (seed ${command.seed})`,
      );
      return 0;
    }
    case 'keys create': {
      const { key, row } = await createKey({ db, name: command.label, role: command.role, now: new Date() });
      console.log(
        `Created ${row.role} key ${row.id} "${row.name}" (prefix ${row.prefix}); store it now, it will not be shown again:`,
      );
      console.log(key);
      return 0;
    }
    case 'keys list':
      console.log(keyTable(await listApiKeys({ db: db.read })));
      return 0;
    case 'keys revoke':
      await revokeApiKey({ db, id: command.id, now: new Date() });
      console.log(`Revoked API key ${command.id}`);
      return 0;
    case 'export':
      return exportTo(db, command.file);
    case 'import':
      return importFrom(db, command.file);
  }
}

async function main(argv: string[]): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (command.name === 'help') {
    console.log(USAGE);
    return 0;
  }
  const config = loadConfig(process.env);
  if (command.name === 'backup') return backup(config.databaseUrl, command.file);
  const { db } = await prepareDatabase(config, { seed: false });
  try {
    return await run(command, db, config.databaseUrl);
  } finally {
    await db.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const operatorError = [ConfigError, AppError, TransferError].some((kind) => error instanceof kind);
    // File system errors (a missing folder, a denied path) already read as one line.
    const fileError = error instanceof Error && 'syscall' in error && 'path' in error;
    console.error(operatorError || fileError ? (error as Error).message : error);
    process.exit(1);
  },
);
