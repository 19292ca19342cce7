import type { components, paths } from '../../clients/typescript/src/schema.js';
import createClient from './openapi-fetch.js';

type QueueItem = components['schemas']['CommentQueueItem'];
type Status = components['schemas']['CommentStatus'];
type Counts = components['schemas']['CommentStatusCounts'];

const STATUSES: Status[] = ['pending', 'approved', 'rejected', 'spam'];
const LABELS: Record<Status, string> = { pending: 'Pending', approved: 'Approved', rejected: 'Rejected', spam: 'Spam' };
const VERBS: Record<Status, string> = { pending: 'Pending', approved: 'Approve', rejected: 'Reject', spam: 'Spam' };
const KEY_STORAGE = 'quire.console.key';
const PAGE_SIZE = 50;
const POLL_MS = 10_000;

const api = createClient<paths>({ baseUrl: location.origin });
// The key travels only in this header: never in a URL, never logged.
api.use({
  onRequest({ request }) {
    const key = sessionStorage.getItem(KEY_STORAGE);
    if (key) request.headers.set('Authorization', `Bearer ${key}`);
    return request;
  },
});

const state = {
  status: 'pending' as Status,
  order: 'newest' as 'newest' | 'oldest',
  q: '',
  rows: [] as QueueItem[],
  cursor: null as string | null,
  current: 0,
  selected: new Set<number>(),
  busy: new Set<number>(),
  /** Decided here since the tab opened: a page fetched while a decision travelled must not bring it back. */
  decided: new Set<number>(),
  notices: new Map<number, string>(),
  counts: { pending: 0, approved: 0, rejected: 0, spam: 0 } as Counts,
  /** False when a search matched more than the server counts: each count is then "at least". */
  countsExact: true,
  maxId: 0,
};

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
type Props = { [name: string]: string | number | boolean };
const el = <K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}): HTMLElementTagNameMap[K] =>
  Object.assign(document.createElement(tag), props);

function announce(message: string): void {
  $('announce').textContent = message;
}

class AuthError extends Error {}

/** 401 and 403 end the session with a message a person can act on. */
function failOn(response: Response, error: unknown): never {
  const detail = (error as { detail?: string } | undefined)?.detail ?? response.statusText;
  if (response.status === 401) throw new AuthError(`The key was not accepted: ${detail}`);
  if (response.status === 403)
    throw new AuthError(
      `This key cannot moderate comments (${detail}). Ask an admin for a moderator key: npm run cli -- keys create --role moderator --name <you>`,
    );
  throw new Error(detail);
}

function queueQuery(extra: { limit?: number; cursor?: string } = {}) {
  return {
    status: state.status,
    order: state.order,
    limit: PAGE_SIZE,
    ...(state.q ? { q: state.q } : {}),
    ...extra,
  };
}

async function loadQueue(append = false): Promise<void> {
  const cursor = append && state.cursor ? { cursor: state.cursor } : {};
  const { data, error, response } = await api.GET('/v1/admin/comments', { params: { query: queueQuery(cursor) } });
  if (!data) failOn(response, error);
  const known = new Set(state.rows.map((r) => r.id));
  const fresh = data.data.filter((r) => !state.decided.has(r.id) && !state.busy.has(r.id));
  state.rows = append ? [...state.rows, ...fresh.filter((r) => !known.has(r.id))] : fresh;
  state.cursor = data.meta.nextCursor;
  state.maxId = data.meta.maxId;
  setCounts(data.meta.counts, data.meta.countsExact);
  if (!append) {
    state.selected.clear();
    state.notices.clear();
    state.current = 0;
  }
  render();
}

async function refreshCounts(): Promise<void> {
  const { data, error, response } = await api.GET('/v1/admin/comments', {
    params: { query: queueQuery({ limit: 1 }) },
  });
  if (!data) failOn(response, error);
  setCounts(data.meta.counts, data.meta.countsExact);
}

/** A count as shown: "1000+" when it is a lower bound. */
const shown = (status: Status) => `${state.counts[status]}${state.countsExact ? '' : '+'}`;

function setCounts(counts: Counts, exact: boolean): void {
  state.counts = counts;
  state.countsExact = exact;
  document.title = `(${counts.pending}) Quire moderation`;
  renderTabs();
  $('all-matching').textContent = `Apply to all ${shown(state.status)} ${LABELS[state.status].toLowerCase()}`;
}

function renderTabs(): void {
  const tabs = $('tabs');
  tabs.replaceChildren(
    ...STATUSES.map((status) => {
      const tab = el('button', { type: 'button', id: `tab-${status}` });
      tab.setAttribute('role', 'tab');
      tab.setAttribute('aria-selected', String(status === state.status));
      tab.tabIndex = status === state.status ? 0 : -1;
      tab.textContent = `${LABELS[status]} (${shown(status)})`;
      tab.addEventListener('click', () => switchTab(status));
      return tab;
    }),
  );
}

function switchTab(status: Status, keepFocusOnTabs = false): void {
  state.status = status;
  state.cursor = null;
  state.decided.clear();
  loadQueue()
    .then(() => keepFocusOnTabs && $(`tab-${status}`).focus())
    .catch(report);
}

function spamText(row: QueueItem): string {
  const signals = Object.entries(row.spamSignals).map(([name, points]) => `${name} +${points}`);
  return `Spam score ${row.spamScore}${signals.length ? ` (${signals.join(', ')})` : ''}`;
}

function renderRow(row: QueueItem, index: number): HTMLLIElement {
  const item = el('li', { className: 'row', tabIndex: -1, id: `comment-${row.id}` });
  item.dataset.id = String(row.id);
  item.setAttribute('aria-label', `Comment by ${row.authorName}`);
  if (index === state.current) item.setAttribute('aria-current', 'true');
  if (state.busy.has(row.id)) item.classList.add('busy');

  const meta = el('div', { className: 'meta' });
  const select = el('input', { type: 'checkbox', checked: state.selected.has(row.id), id: `select-${row.id}` });
  select.addEventListener('change', () => toggleSelected(row.id));
  const selectLabel = el('label', { htmlFor: select.id, className: 'visually-hidden' });
  selectLabel.textContent = `Select the comment by ${row.authorName}`;
  const author = el('strong');
  author.textContent = row.authorName;
  const email = el('span');
  email.textContent = row.authorEmail;
  const article = el('a', { href: `/v1/articles/${encodeURIComponent(row.articleSlug)}` });
  article.textContent = row.articleTitle;
  const time = el('time', { dateTime: row.createdAt });
  time.textContent = new Date(row.createdAt).toLocaleString();
  const on = el('span');
  on.append('on ', article);
  meta.append(select, selectLabel, author, email, on, time);

  // Reader text is only ever set as textContent: markup in a comment stays text.
  const body = el('p', { className: 'body' });
  body.textContent = row.body;
  const score = el('p', { className: row.spamScore >= 0.5 ? 'score high' : 'score' });
  score.textContent = spamText(row);
  item.append(meta);
  if (row.parent) {
    const parent = el('p', { className: 'parent' });
    parent.textContent = `Reply to ${row.parent.authorName} (${row.parent.status}): ${row.parent.body}`;
    item.append(parent);
  }
  item.append(body, score);
  const notice = state.notices.get(row.id);
  if (notice) item.append(el('p', { className: 'notice', textContent: notice }));

  const actions = el('div', { className: 'actions' });
  for (const status of ['approved', 'rejected', 'spam'] as const) {
    if (status === row.status) continue;
    const button = el('button', { type: 'button', textContent: VERBS[status] });
    button.setAttribute('aria-label', `${VERBS[status]} the comment by ${row.authorName}`);
    button.addEventListener('click', () => decide(row, status));
    actions.append(button);
  }
  const remove = el('button', { type: 'button', textContent: 'Delete', className: 'secondary' });
  remove.addEventListener('click', () => removeComment(row));
  const history = el('button', { type: 'button', textContent: 'History', className: 'secondary' });
  history.addEventListener('click', () => showHistory(row.id));
  actions.append(remove, history);
  item.append(actions);
  item.addEventListener('click', (event) => {
    if ((event.target as HTMLElement).closest('button, input, a')) return;
    state.current = state.rows.indexOf(row);
    render();
  });
  return item;
}

function render(focus = true): void {
  state.current = Math.max(0, Math.min(state.current, state.rows.length - 1));
  $('queue').replaceChildren(...state.rows.map(renderRow));
  $('empty').hidden = state.rows.length > 0;
  $('more').hidden = state.cursor === null;
  $('selected-count').textContent = `${state.selected.size} selected`;
  const all = $<HTMLInputElement>('select-page');
  all.checked = state.rows.length > 0 && state.rows.every((r) => state.selected.has(r.id));
  const current = state.rows[state.current];
  const active = document.activeElement;
  const typing = active instanceof HTMLInputElement || active instanceof HTMLSelectElement || active?.closest('dialog');
  if (focus && current && !typing) document.getElementById(`comment-${current.id}`)?.focus();
}

function toggleSelected(id: number): void {
  if (state.selected.has(id)) state.selected.delete(id);
  else state.selected.add(id);
  render();
}

/** One decision on what the moderator saw (If-Match); a 412 shows who decided first and refreshes the row. */
async function decide(row: QueueItem, status: Status): Promise<void> {
  if (state.busy.has(row.id) || row.status === status) return;
  state.busy.add(row.id);
  const index = state.rows.indexOf(row);
  // Move on at once: the next comment is ready while this decision travels.
  if (index === state.current) state.current = index + 1;
  render();
  try {
    const { data, error, response } = await api.PATCH('/v1/admin/comments/{id}', {
      params: { path: { id: row.id }, header: { 'if-match': row.etag } },
      body: { status },
    });
    if (response.status === 412) return await alreadyDecided(row);
    if (!data) failOn(response, error);
    announce(`${VERBS[status]}d the comment by ${row.authorName}.`);
    state.decided.add(row.id);
    dropRow(row);
  } catch (error) {
    report(error);
  } finally {
    state.busy.delete(row.id);
    render();
    refreshAfterDecisions();
  }
}

async function alreadyDecided(row: QueueItem): Promise<void> {
  const { data, error, response } = await api.GET('/v1/admin/comments/{id}', { params: { path: { id: row.id } } });
  if (!data) {
    if (response.status === 404) {
      dropRow(row);
      return announce('That comment was deleted by someone else.');
    }
    failOn(response, error);
  }
  const last = data.history.at(-1);
  const message = `Already decided by ${last?.actor ?? 'someone else'}: now ${data.status}.`;
  state.notices.set(row.id, message);
  announce(message);
  Object.assign(row, data, { etag: response.headers.get('etag') ?? row.etag });
  state.current = state.rows.indexOf(row);
}

function dropRow(row: QueueItem): void {
  const index = state.rows.findIndex((r) => r.id === row.id);
  if (index === -1) return;
  state.rows.splice(index, 1);
  state.selected.delete(row.id);
  if (index < state.current) state.current -= 1;
}

let refreshTimer: ReturnType<typeof setTimeout> | undefined;
/** Counts and the next page after a burst of decisions, not after each one. */
function refreshAfterDecisions(): void {
  clearTimeout(refreshTimer);
  refreshTimer = setTimeout(() => {
    if (state.busy.size > 0) return refreshAfterDecisions();
    const more = state.rows.length < PAGE_SIZE / 2 && state.cursor !== null;
    (more ? loadQueue() : refreshCounts()).catch(report);
  }, 150);
}

async function removeComment(row: QueueItem): Promise<void> {
  if (!confirm(`Delete the comment by ${row.authorName}? Its history is kept.`)) return;
  const { error, response } = await api.DELETE('/v1/admin/comments/{id}', {
    params: { path: { id: row.id }, header: { 'if-match': row.etag } },
  });
  if (response.status === 412) await alreadyDecided(row);
  else if (!response.ok) failOn(response, error);
  else {
    dropRow(row);
    announce(`Deleted the comment by ${row.authorName}.`);
  }
  render();
  refreshAfterDecisions();
}

async function decideSelected(status: Status): Promise<void> {
  const ids = [...state.selected].slice(0, 100);
  if (ids.length === 0) return announce('Select comments first (x, or the checkboxes).');
  const { data, error, response } = await api.POST('/v1/admin/comments/bulk', { body: { ids, status } });
  if (!data) failOn(response, error);
  announce(`${VERBS[status]}d ${ids.length} comments.`);
  await loadQueue();
}

async function decideAllMatching(): Promise<void> {
  const status = $<HTMLSelectElement>('filter-status').value as Status;
  const n = shown(state.status);
  if (!confirm(`${VERBS[status]} all ${n} ${state.status} comments matching this filter?`)) return;
  const filter = { status: state.status, maxId: state.maxId, ...(state.q ? { q: state.q } : {}) };
  const { data, error, response } = await api.POST('/v1/admin/comments/bulk', {
    params: { header: { 'idempotency-key': crypto.randomUUID() } },
    body: { filter, status },
  });
  if (!data) failOn(response, error);
  announce('changed' in data ? `${VERBS[status]}d ${data.changed} comments.` : 'Done.');
  await loadQueue();
}

async function showHistory(id: number): Promise<void> {
  const { data, error, response } = await api.GET('/v1/admin/comments/{id}', { params: { path: { id } } });
  if (!data) failOn(response, error);
  $('history-heading').textContent = `History of comment ${id}`;
  $('history-list').replaceChildren(
    ...data.history.map((event) => {
      const item = el('li');
      const from = event.fromStatus ? `${event.fromStatus} → ` : '';
      item.textContent = `${from}${event.toStatus} by ${event.actor}, ${new Date(event.at).toLocaleString()}${event.note ? `: ${event.note}` : ''}`;
      return item;
    }),
  );
  $('history').hidden = false;
  $('close-history').focus();
}

function report(error: unknown): void {
  if (error instanceof AuthError) signOut(error.message);
  else announce(`Something went wrong: ${error instanceof Error ? error.message : String(error)}`);
}

function signOut(message = ''): void {
  sessionStorage.removeItem(KEY_STORAGE);
  $('moderation').hidden = true;
  $('forget').hidden = true;
  $('help-button').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  document.title = 'Quire moderation';
  $('key').focus();
}

async function start(): Promise<void> {
  await loadQueue();
  $('login').hidden = true;
  $('moderation').hidden = false;
  $('forget').hidden = false;
  $('help-button').hidden = false;
  $('login-error').textContent = '';
  // The key field is gone: keys now go to the queue.
  if (document.activeElement instanceof HTMLElement) document.activeElement.blur();
  render();
}

function onKey(event: KeyboardEvent): void {
  const target = event.target as HTMLElement;
  if ($('moderation').hidden || event.ctrlKey || event.metaKey || event.altKey) return;
  if (target.closest('input, select, textarea, dialog')) return;
  const row = state.rows[state.current];
  const actions: Record<string, () => void> = {
    j: () => {
      state.current = Math.min(state.current + 1, state.rows.length - 1);
      render();
    },
    k: () => {
      state.current = Math.max(state.current - 1, 0);
      render();
    },
    a: () => row && decide(row, 'approved'),
    r: () => row && decide(row, 'rejected'),
    s: () => row && decide(row, 'spam'),
    x: () => row && toggleSelected(row.id),
    h: () => row && showHistory(row.id).catch(report),
    A: () => decideSelected('approved').catch(report),
    R: () => decideSelected('rejected').catch(report),
    '/': () => $('q').focus(),
    '?': () => $<HTMLDialogElement>('help').showModal(),
    Escape: () => {
      $('history').hidden = true;
      render();
    },
  };
  const action = actions[event.key];
  if (!action) return;
  event.preventDefault();
  action();
}

function wire(): void {
  $('login').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $<HTMLInputElement>('key');
    sessionStorage.setItem(KEY_STORAGE, input.value.trim());
    input.value = '';
    start().catch(report);
  });
  $('forget').addEventListener('click', () => signOut('Key forgotten.'));
  $('help-button').addEventListener('click', () => $<HTMLDialogElement>('help').showModal());
  $('close-history').addEventListener('click', () => {
    $('history').hidden = true;
    render();
  });
  $('search').addEventListener('submit', (event) => {
    event.preventDefault();
    state.q = $<HTMLInputElement>('q').value.trim();
    loadQueue()
      .then(() => $('queue').querySelector<HTMLElement>('.row')?.focus())
      .catch(report);
  });
  $('order').addEventListener('change', () => {
    state.order = $<HTMLSelectElement>('order').value as 'newest' | 'oldest';
    loadQueue().catch(report);
  });
  $('select-page').addEventListener('change', () => {
    const all = $<HTMLInputElement>('select-page').checked;
    for (const row of state.rows) {
      if (all) state.selected.add(row.id);
      else state.selected.delete(row.id);
    }
    render(false);
  });
  for (const button of document.querySelectorAll<HTMLButtonElement>('[data-bulk]'))
    button.addEventListener('click', () => decideSelected(button.dataset.bulk as Status).catch(report));
  $('all-matching').addEventListener('click', () => decideAllMatching().catch(report));
  $('more').addEventListener('click', () => loadQueue(true).catch(report));
  // Tabs follow the ARIA pattern: one tab stop, arrows move between statuses.
  $('tabs').addEventListener('keydown', (event) => {
    const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const next = STATUSES[(STATUSES.indexOf(state.status) + step + STATUSES.length) % STATUSES.length]!;
    switchTab(next, true);
  });
  document.addEventListener('keydown', onKey);
  // Live counts: a light poll while the tab is visible.
  setInterval(() => {
    if (!document.hidden && !$('moderation').hidden && sessionStorage.getItem(KEY_STORAGE))
      refreshCounts().catch(report);
  }, POLL_MS);
}

wire();
if (sessionStorage.getItem(KEY_STORAGE)) start().catch(report);
else $('key').focus();
