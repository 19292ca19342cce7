import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DatabaseHandles } from '../../src/db/client.js';
import { buildAppFromConfig } from '../../src/startup.js';
import { testConfig } from '../helpers/app.js';
import { createArticle, createComment } from '../helpers/factories.js';
import { createKeyFor } from '../helpers/keys.js';

// CHROMIUM_PATH only to try the skip on a machine that has Chromium; CI and README use Debian's.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const required = process.env.REQUIRE_BROWSER === '1';
const root = new URL('../../', import.meta.url);
const ARTIFACTS = new URL('test-artifacts/', root);
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

if (!available && !required) console.warn(`browser tests skipped: ${CHROMIUM} is missing (REQUIRE_BROWSER=1 fails)`);

it.runIf(!available && required)(`has Chromium at ${CHROMIUM} (REQUIRE_BROWSER=1)`, () => {
  throw new Error(`${CHROMIUM} is missing: install it with apt-get install -y chromium`);
});

interface Server {
  url: string;
  db: string;
  keys: { mod: string; mod2: string; editor: string };
  articleId: number;
  process: ChildProcess;
}

let work: string;
let context: BrowserContext;
const servers: Server[] = [];

/** A real server process (the built `npm start` entry) on its own port and a fresh database seeded by `seed`. */
async function startServer(seed: (db: DatabaseHandles, articleId: number) => Promise<void> = async () => {}) {
  const db = join(await mkdtemp(join(work, 'db-')), 'quire.db');
  const app = (await buildAppFromConfig(testConfig({ databaseUrl: db }))).app;
  const keys = {
    mod: await createKeyFor(app.db, 'moderator', 'Mod One'),
    mod2: await createKeyFor(app.db, 'moderator', 'Mod Two'),
    editor: await createKeyFor(app.db, 'editor', 'Ed Itor'),
  };
  const article = await createArticle(app.db, { title: 'Sciatica in Runners' });
  await seed(app.db, article.id);
  await app.close();
  // A lifetime cap: the server stops by itself even if this test process dies.
  const child = spawn(
    process.execPath,
    ['-e', "setTimeout(() => process.exit(0), 600000).unref(); import('./dist/src/server.js')"],
    {
      cwd: root,
      env: {
        ...process.env,
        DATABASE_URL: db,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        SEED_ON_EMPTY: 'false',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
  const server = { url, db, keys, articleId: article.id, process: child };
  servers.push(server);
  return server;
}

// biome-ignore lint/suspicious/noExplicitAny: a response body, checked field by field by the assertions
type Body = any;

async function api(
  server: Server,
  key: string,
  path: string,
  init: RequestInit = {},
): Promise<{ status: number; body: Body }> {
  const res = await fetch(`${server.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers },
  });
  return { status: res.status, body: res.status === 204 ? null : await res.json() };
}

async function pending(db: DatabaseHandles, articleId: number, n: number, body = (i: number) => `Comment ${i}`) {
  const ids: number[] = [];
  for (let i = 0; i < n; i++) ids.push(await createComment(db, { articleId, status: 'pending', body: body(i) }));
  return ids;
}

async function signIn(server: Server, key: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  page.on('dialog', (dialog) => dialog.accept());
  await page.goto(`${server.url}/console`);
  await page.getByLabel('API key').fill(key);
  await page.getByLabel('API key').press('Enter');
  return page;
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: new URL(`${name}.png`, ARTIFACTS).pathname, fullPage: true });
}

describe.skipIf(!available)('the console in Chromium', () => {
  beforeAll(async () => {
    // `npm install` runs the same build (prepare): the server and the console.
    const tsc = ['node_modules/typescript/bin/tsc', '-p'];
    execFileSync(process.execPath, [...tsc, 'tsconfig.build.json'], { cwd: root });
    execFileSync(process.execPath, [...tsc, 'console/tsconfig.json'], { cwd: root });
    await mkdir(ARTIFACTS, { recursive: true });
    work = await mkdtemp(join(tmpdir(), 'quire-e2e-'));
    context = await chromium.launchPersistentContext(join(work, 'profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: FLAGS,
    });
  }, 180_000);

  afterEach(() => {
    for (const server of servers.splice(0)) server.process.kill('SIGTERM');
  });

  afterAll(async () => {
    await context?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('takes a pasted key once, shows counts per status, and approves with the keyboard', async () => {
    let ids: number[] = [];
    const server = await startServer(async (db, articleId) => {
      ids = await pending(db, articleId, 3);
      await createComment(db, { articleId, status: 'spam', body: 'Buy pills' });
    });
    const page = await signIn(server, server.keys.mod);
    await expect.poll(() => page.title()).toBe('(3) Quire moderation');
    expect(await page.locator('#tab-pending').textContent()).toBe('Pending (3)');
    expect(await page.locator('#tab-spam').textContent()).toBe('Spam (1)');
    expect(page.url()).toBe(`${server.url}/console`);
    expect(await page.evaluate('Object.values(sessionStorage)')).toEqual([server.keys.mod]);
    expect(await page.locator('#key').inputValue()).toBe('');
    expect(await page.locator('#login').isHidden()).toBe(true);
    const first = page.locator('.row').first();
    expect(await first.locator('a').textContent()).toBe('Sciatica in Runners');
    await shot(page, 'console-queue');

    await page.keyboard.press('j');
    await page.keyboard.press('a');
    await expect.poll(() => page.title()).toBe('(2) Quire moderation');
    // Newest first: j moved to the second newest, ids[1].
    const decided = await api(server, server.keys.mod, `/v1/admin/comments/${ids[1]}`);
    expect(decided.body.status).toBe('approved');
    expect(decided.body.history.at(-1).actor).toBe('Mod One');
    expect(await page.locator('.row').count()).toBe(2);

    await page.keyboard.press('?');
    expect(await page.locator('#help').isVisible()).toBe(true);
    await page.keyboard.press('Escape');

    // Tabs: one tab stop, arrows move between statuses and keep focus there.
    await page.locator('#tab-pending').focus();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('#tab-approved').getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.evaluate('document.activeElement.id')).toBe('tab-approved');
    expect(await page.locator('.row .body').allTextContents()).toEqual(['Comment 1']);
  });

  it('is usable at phone width, with no sideways scrolling', async () => {
    const server = await startServer(async (db, articleId) => {
      await pending(db, articleId, 2, (i) => `A long comment ${'without-any-spaces-'.repeat(20)} ${i}`);
    });
    const page = await signIn(server, server.keys.mod, { width: 390, height: 844 });
    await expect.poll(() => page.title()).toBe('(2) Quire moderation');
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
    await shot(page, 'console-phone');
  });

  it('rejects a selection in bulk: x selects, shift+r rejects', async () => {
    let ids: number[] = [];
    const server = await startServer(async (db, articleId) => {
      ids = await pending(db, articleId, 4);
    });
    const page = await signIn(server, server.keys.mod);
    await expect.poll(() => page.title()).toBe('(4) Quire moderation');
    await page.keyboard.press('x');
    await page.keyboard.press('j');
    await page.keyboard.press('x');
    expect(await page.locator('#selected-count').textContent()).toBe('2 selected');
    await page.keyboard.press('Shift+R');
    await expect.poll(() => page.locator('#tab-rejected').textContent()).toBe('Rejected (2)');
    expect(await page.title()).toBe('(2) Quire moderation');
    const statuses = await Promise.all(
      ids.map(async (id) => (await api(server, server.keys.mod, `/v1/admin/comments/${id}`)).body.status),
    );
    expect(statuses).toEqual(['pending', 'pending', 'rejected', 'rejected']);
  });

  it('decides every comment matching the filter as listed, leaving later arrivals pending', async () => {
    const server = await startServer(async (db, articleId) => {
      await pending(db, articleId, 5);
    });
    const page = await signIn(server, server.keys.mod);
    await expect.poll(() => page.title()).toBe('(5) Quire moderation');
    const article = await api(server, server.keys.mod, `/v1/admin/comments?limit=1`);
    const slug = article.body.data[0].articleSlug;
    const late = await fetch(`${server.url}/v1/articles/${slug}/comments`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ authorName: 'Late', authorEmail: 'late@example.com', body: 'Arrived after the listing' }),
    });
    expect(late.status).toBe(202);
    await page.getByLabel('Every comment matching this filter').selectOption('rejected');
    await page.locator('#all-matching').click();
    await expect.poll(() => page.locator('#tab-rejected').textContent()).toBe('Rejected (5)');
    expect(await page.title()).toBe('(1) Quire moderation');
    expect(await page.locator('.row .body').allTextContents()).toEqual(['Arrived after the listing']);
  });

  it('shows "already decided by" when a second moderator decided first, and keeps the row', async () => {
    let id = 0;
    const server = await startServer(async (db, articleId) => {
      [id] = (await pending(db, articleId, 1)) as [number];
    });
    const page = await signIn(server, server.keys.mod);
    await expect.poll(() => page.title()).toBe('(1) Quire moderation');
    const other = await api(server, server.keys.mod2, `/v1/admin/comments/${id}`, {
      method: 'PATCH',
      body: JSON.stringify({ status: 'approved' }),
    });
    expect(other.status).toBe(200);
    await page.keyboard.press('r');
    await expect
      .poll(() => page.locator('.row .notice').textContent())
      .toBe('Already decided by Mod Two: now approved.');
    const after = await api(server, server.keys.mod, `/v1/admin/comments/${id}`);
    expect(after.body.status).toBe('approved');
    expect(after.body.history.map((e: { actor: string }) => e.actor)).toEqual(['Mod Two']);
    await shot(page, 'console-conflict');
  });

  it('renders markup in a comment as text, never as HTML', async () => {
    const payload = '<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>bold</b>';
    const server = await startServer(async (db, articleId) => {
      await pending(db, articleId, 1, () => payload);
    });
    const page = await signIn(server, server.keys.mod);
    await expect.poll(() => page.title()).toBe('(1) Quire moderation');
    expect(await page.locator('.row .body').textContent()).toBe(payload);
    expect(await page.locator('#queue img, #queue script, #queue b').count()).toBe(0);
    expect(await page.evaluate('window.__xss')).toBeUndefined();
    await shot(page, 'console-xss');
  });

  it('tells a key without the moderator role that it cannot moderate, and forgets it', async () => {
    const server = await startServer();
    const page = await signIn(server, server.keys.editor);
    await expect.poll(() => page.locator('#login-error').textContent()).toContain('This key cannot moderate comments');
    expect(await page.locator('#login-error').textContent()).toContain('role moderator');
    expect(await page.locator('#moderation').isHidden()).toBe(true);
    expect(await page.evaluate('sessionStorage.length')).toBe(0);
    await shot(page, 'console-wrong-role');
  });

  it('clears 100 pending comments by keyboard, one keystroke each, and reports the wall time', async () => {
    const server = await startServer(async (db, articleId) => {
      await pending(db, articleId, 100);
    });
    const page = await signIn(server, server.keys.mod);
    await expect.poll(() => page.title()).toBe('(100) Quire moderation');
    let keystrokes = 0;
    const started = performance.now();
    while ((await page.title()) !== '(0) Quire moderation') {
      // Only press when a comment is current and not already travelling: no keystroke is wasted.
      const ready = await page
        .locator('.row[aria-current="true"]:not(.busy)')
        .waitFor({ timeout: 2_000 })
        .then(() => true)
        .catch(() => false);
      if (!ready) continue;
      await page.keyboard.press('a');
      keystrokes += 1;
      expect(keystrokes).toBeLessThanOrEqual(200);
    }
    const ms = Math.round(performance.now() - started);
    const counts = (await api(server, server.keys.mod, '/v1/admin/comments?limit=1')).body.meta.counts;
    expect(counts).toMatchObject({ pending: 0, approved: 100 });
    await writeFile(
      new URL('clear-100.json', ARTIFACTS),
      `${JSON.stringify({ comments: 100, keystrokes, ms }, null, 2)}\n`,
    );
    console.log(`cleared 100 pending comments with ${keystrokes} keystrokes in ${ms} ms`);
  }, 120_000);
});
