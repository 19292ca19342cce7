import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { initializeDatabase } from '../../src/startup.js';
import { TEST_ENGINE } from '../helpers/databases.js';
import { createKeyFor } from '../helpers/keys.js';
import { freePort, type ServerProcess, startServer, waitForReady } from '../processes/helpers.js';

const VARNISHD = '/usr/sbin/varnishd';
const present = existsSync(VARNISHD);
if (!present && process.env.REQUIRE_VARNISH === '1') throw new Error(`REQUIRE_VARNISH=1 but ${VARNISHD} is missing`);
if (!present)
  console.log('Varnish purge end to end: skipped (no /usr/sbin/varnishd; apt-get install varnish varnish-modules)');

const ARTICLE = '/v1/articles/sciatica-in-runners';

// One engine is enough: this proves the purge path through a real cache, not the data layer.
describe.runIf(present && TEST_ENGINE === 'sqlite')('Varnish in front of Quire, purged by surrogate key', () => {
  const dir = mkdtempSync(join(tmpdir(), 'quire-varnish-'));
  let quire: ServerProcess;
  let varnish: ReturnType<typeof spawn>;
  let cache = '';
  let auth = { authorization: '' };

  beforeAll(async () => {
    const databaseUrl = join(dir, 'quire.db');
    const db = await openDatabase({ url: databaseUrl });
    await initializeDatabase(db, { seedIfEmpty: true });
    auth = { authorization: `Bearer ${await createKeyFor(db, 'editor')}` };
    await db.close();

    const [quirePort, varnishPort] = [await freePort(), await freePort()];
    cache = `http://127.0.0.1:${varnishPort}`;
    const vcl = readFileSync(new URL('../../deploy/varnish/quire.vcl', import.meta.url), 'utf8').replace(
      '.port = "3000";',
      `.port = "${quirePort}";`,
    );
    writeFileSync(join(dir, 'quire.vcl'), vcl);
    varnish = spawn(
      VARNISHD,
      [
        '-F',
        '-j',
        'none',
        '-n',
        join(dir, 'varnish'),
        '-a',
        `127.0.0.1:${varnishPort}`,
        '-f',
        join(dir, 'quire.vcl'),
        '-s',
        'malloc,32m',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let varnishOutput = '';
    varnish.stdout!.on('data', (c) => (varnishOutput += c));
    varnish.stderr!.on('data', (c) => (varnishOutput += c));

    quire = await startServer({ PORT: String(quirePort), DATABASE_URL: databaseUrl, PURGE_URLS: cache });
    await waitForReady(quire);
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (varnish.exitCode !== null) break;
      try {
        if ((await fetch(`${cache}/healthz`)).ok) return;
      } catch {
        // varnish still starting
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`varnish did not start: ${varnishOutput}`);
  }, 60_000);

  afterAll(async () => {
    quire?.child.kill('SIGKILL');
    varnish?.kill('SIGKILL');
    await quire?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${quire.base}${path}`, {
      ...init,
      headers: { ...auth, 'content-type': 'application/json', ...init.headers },
    });

  it('serves a hit, then the edited text at once after an edit, while an unrelated article stays a hit', async () => {
    // A second published article, cached too: the edit must not purge it.
    const created = (await (
      await api('/v1/admin/articles', {
        method: 'POST',
        body: JSON.stringify({
          title: 'Hip Mobility',
          sections: [{ heading: 'Warm-up', tips: [{ title: 'Swings', body: 'Ten.' }] }],
        }),
      })
    ).json()) as { id: number; slug: string };
    expect((await api(`/v1/admin/articles/${created.id}/publish`, { method: 'POST' })).status).toBe(200);
    const other = `/v1/articles/${created.slug}`;

    const first = await fetch(`${cache}${ARTICLE}`);
    expect(first.status).toBe(200);
    const article = (await first.json()) as { id: number; sections: { tips: { id: number }[] }[] };
    const second = await fetch(`${cache}${ARTICLE}`);
    expect(second.headers.get('x-cache')).toBe('HIT');
    await fetch(`${cache}${other}`);
    expect((await fetch(`${cache}${other}`)).headers.get('x-cache')).toBe('HIT');

    const tip = article.sections[0]!.tips[0]!;
    const admin = await api(`/v1/admin/articles/${article.id}`);
    const text = `Edited through the API at ${Date.now()}`;
    const edit = await api(`/v1/admin/tips/${tip.id}`, {
      method: 'PATCH',
      headers: { 'if-match': admin.headers.get('etag')! },
      body: JSON.stringify({ body: text }),
    });
    expect(edit.status).toBe(200);

    // The purge follows the commit; a read through the cache shows the new text within moments.
    const editedAt = Date.now();
    let seen = '';
    while (Date.now() - editedAt < 5000) {
      const through = (await (await fetch(`${cache}${ARTICLE}`)).json()) as {
        sections: { tips: { body: string }[] }[];
      };
      seen = through.sections[0]!.tips[0]!.body;
      if (seen === text) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(seen).toBe(text);
    console.log(
      `Varnish: the edited text showed through the cache ${Date.now() - editedAt} ms after the edit answered`,
    );
    expect((await fetch(`${cache}${ARTICLE}`)).headers.get('x-cache')).toBe('HIT');
    expect((await fetch(`${cache}${other}`)).headers.get('x-cache')).toBe('HIT');
  });
});
