import pg from 'pg';

/**
 * Vitest global teardown: drops the per-worker template databases (and any test database a killed
 * worker left) on the TEST_DATABASE_URL server, once the worker that made them has exited, so a
 * concurrent run on the same server keeps its own.
 */
export async function teardown(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) return;
  const base = decodeURIComponent(new URL(url).pathname.slice(1)) || 'postgres';
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      'select datname from pg_database where starts_with(datname, $1)',
      [`${base}_t`],
    );
    for (const { datname } of rows) {
      const match = new RegExp(`^${base.replace(/\W/g, '\\$&')}_(?:tpl|t)_(\\d+)(?:_\\d+)?$`).exec(datname);
      if (!match || isAlive(Number(match[1]))) continue;
      await client.query(`drop database if exists "${datname}" with (force)`);
    }
  } finally {
    await client.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
