import { EventEmitter } from 'node:events';
import pg from 'pg';

/** The channel every write transaction that bumps the content version notifies (delivered at commit). */
export const CONTENT_CHANNEL = 'quire_content';

const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;

/**
 * One dedicated connection (not from the pool) listening on `quire_content`: while it is
 * connected, the content version is known in memory and public cache hits need no query. When
 * it drops, `current()` answers undefined (callers read the version per request) and it
 * reconnects with back-off. Emits 'version' with each new version it learns.
 */
export class ContentVersionListener extends EventEmitter {
  private client: pg.Client | null = null;
  private version: number | undefined;
  private stopped = false;
  private backoff = MIN_BACKOFF_MS;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly url: string) {
    super();
  }

  /** The latest version, or undefined while not listening. */
  current(): number | undefined {
    return this.version;
  }

  /** A version this process committed itself: known here before its own notification arrives. */
  advance(version: number): void {
    if (this.version !== undefined && version > this.version) this.learn(version);
  }

  start(): void {
    void this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.version = undefined;
    if (this.timer) clearTimeout(this.timer);
    await this.client?.end().catch(() => {});
    this.client = null;
  }

  private learn(version: number): void {
    this.version = version;
    this.emit('version', version);
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.url, application_name: 'quire content listener' });
    this.client = client;
    const lost = () => {
      if (this.client !== client) return;
      this.client = null;
      this.version = undefined;
      this.emit('lost');
      client.end().catch(() => {});
      this.retry();
    };
    client.on('error', lost);
    client.on('end', lost);
    client.on('notification', (message) => {
      const version = Number(message.payload);
      if (
        this.client === client &&
        this.version !== undefined &&
        Number.isSafeInteger(version) &&
        version > this.version
      )
        this.learn(version);
    });
    try {
      await client.connect();
      // Listen first, then read: a commit in between is caught by one or the other.
      await client.query(`listen ${CONTENT_CHANNEL}`);
      const { rows } = await client.query<{ version: number }>('select version from content_version where id = 1');
      if (this.client !== client) return;
      this.backoff = MIN_BACKOFF_MS;
      this.learn(Number(rows[0]?.version ?? 0));
    } catch {
      lost();
    }
  }

  private retry(): void {
    if (this.stopped || this.timer) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
    this.timer.unref();
  }
}
