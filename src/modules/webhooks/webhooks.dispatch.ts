import { createHmac } from 'node:crypto';
import type { DatabaseHandles } from '../../db/client.js';
import { listEventsAfter, lockCursor, outboxStart, saveCursor } from '../../db/outbox.js';
import { sendOutbound } from './outbound-http.js';
import {
  claimDueDeliveries,
  type DeliveryJob,
  findDeliveryJobs,
  hasDueDelivery,
  insertDeliveries,
  listEnabledWebhooks,
  recordAttempt,
  updateWebhook,
} from './webhooks.repository.js';

export interface DispatchPolicy {
  /** Private, loopback and link-local receivers are refused unless allowed (tests, internal networks). */
  allowPrivate: boolean;
  /** A receiver must answer 2xx within this. */
  timeoutMs: number;
  /** First retry after this, doubling up to maxDelayMs, with jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** A delivery still failing this long after it was created is marked failed; an endpoint failing this long is disabled. */
  giveUpAfterMs: number;
}

export const DEFAULT_DISPATCH_POLICY: Omit<DispatchPolicy, 'allowPrivate'> = {
  timeoutMs: 10_000,
  retryBaseMs: 10_000,
  retryMaxMs: 3_600_000,
  giveUpAfterMs: 24 * 3_600_000,
};

const CURSOR = 'webhooks';
const FAN_OUT_BATCH = 200;
const SEND_BATCH = 20;
// A claim outlives its attempt by this much, for the bookkeeping after the answer.
const CLAIM_MARGIN_MS = 5000;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, as receivers verify it. */
export function signPayload(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export function payloadOf(event: DeliveryJob['event']): string {
  return JSON.stringify({
    id: event.id,
    type: event.type,
    createdAt: event.at,
    data: {
      kind: event.kind,
      id: event.resourceId,
      slug: event.slug,
      ...(event.previousSlug !== null && { previousSlug: event.previousSlug }),
      surrogateKeys: event.surrogateKeys === '' ? [] : event.surrogateKeys.split(' '),
    },
  });
}

/**
 * Turns outbox events into deliveries, one per enabled endpoint that wants the type and existed
 * when the event happened, and moves the webhook cursor past them in the same transaction: each
 * event fans out once, whichever process gets there first.
 */
export async function fanOutEvents({ db }: { db: DatabaseHandles }): Promise<number> {
  // Nothing to do and nothing written while no endpoint is enabled; the cursor catches up later.
  if ((await listEnabledWebhooks({ db: db.read })).length === 0) return 0;
  return db.withTransaction(
    async (tx) => {
      const cursor = (await lockCursor({ tx, name: CURSOR }))?.position ?? outboxStart;
      const events = await listEventsAfter({ db: tx, after: cursor, limit: FAN_OUT_BATCH });
      const last = events.at(-1);
      if (!last) return 0;
      const webhooks = await listEnabledWebhooks({ db: tx });
      const values = events.flatMap((event) =>
        webhooks
          .filter((w) => w.createdAt <= event.at && (w.events.length === 0 || w.events.includes(event.type)))
          .map((w) => ({ webhookId: w.id, eventId: event.id, nextAttemptAt: event.at, createdAt: event.at })),
      );
      await insertDeliveries({ db: tx, values });
      await saveCursor({ tx, name: CURSOR, position: last, updatedAt: last.at });
      return events.length;
    },
    { touchesContent: false },
  );
}

function retryDelay(policy: DispatchPolicy, attempts: number): number {
  const base = Math.min(policy.retryMaxMs, policy.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  // Full jitter on the upper half: receivers coming back are not hit by every sender at once.
  return Math.round(base / 2 + Math.random() * (base / 2));
}

async function attempt(db: DatabaseHandles, policy: DispatchPolicy, job: DeliveryJob, now: Date): Promise<void> {
  const body = payloadOf(job.event);
  let status: number | null = null;
  let responseBody: string | null = null;
  let error: string | null = null;
  try {
    const response = await sendOutbound({
      url: job.webhook.url,
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Quire-Webhooks/1',
        'quire-signature': signPayload(job.webhook.secret, body, now),
        'quire-event': String(job.event.id),
        'quire-event-type': job.event.type,
        'quire-delivery': String(job.delivery.id),
      },
      body,
      timeoutMs: policy.timeoutMs,
      allowPrivate: policy.allowPrivate,
    });
    status = response.status;
    responseBody = response.body;
    if (status < 200 || status > 299) error = `HTTP ${status}`;
  } catch (err) {
    error = err instanceof Error ? err.message : String(err);
  }
  const at = now.toISOString();
  const ok = error === null;
  const attempts = job.delivery.attempts + 1;
  const delay = retryDelay(policy, attempts);
  const givenUp = !ok && now.getTime() + delay - Date.parse(job.delivery.createdAt) > policy.giveUpAfterMs;
  await db.withTransaction(
    async (tx) => {
      await recordAttempt({
        db: tx,
        id: job.delivery.id,
        values: {
          status: ok ? 'succeeded' : givenUp ? 'failed' : 'pending',
          nextAttemptAt: ok || givenUp ? job.delivery.nextAttemptAt : new Date(now.getTime() + delay).toISOString(),
          lastAttemptAt: at,
          lastStatusCode: status,
          lastError: error,
          lastResponseBody: responseBody,
        },
      });
      const webhook = job.webhook;
      if (ok && webhook.failingSince !== null) {
        await updateWebhook({ db: tx, id: webhook.id, values: { failingSince: null } });
      } else if (!ok) {
        const since = webhook.failingSince ?? at;
        const disable = now.getTime() - Date.parse(since) >= policy.giveUpAfterMs;
        await updateWebhook({
          db: tx,
          id: webhook.id,
          values: {
            failingSince: since,
            ...(disable && {
              enabled: false,
              disabledReason: `Every delivery failed for 24 hours (since ${since}; last: ${error})`,
              updatedAt: at,
            }),
          },
        });
      }
    },
    { touchesContent: false },
  );
}

/**
 * Claims the oldest due delivery and sends it, then the next, in order: one claim per delivery,
 * leased for one attempt's timeout, so a sender killed mid-way holds nothing for long and another
 * process (or this one restarted) tries it again. Returns how many were tried.
 */
export async function sendDueDeliveries({
  db,
  policy,
  now,
}: {
  db: DatabaseHandles;
  policy: DispatchPolicy;
  now: () => Date;
}): Promise<number> {
  let sent = 0;
  while (sent < SEND_BATCH) {
    const start = now();
    if (!(await hasDueDelivery({ db: db.read, now: start.toISOString() }))) break;
    const until = new Date(start.getTime() + policy.timeoutMs + CLAIM_MARGIN_MS).toISOString();
    const ids = await db.withTransaction(
      (tx) => claimDueDeliveries({ db: tx, now: start.toISOString(), until, limit: 1 }),
      { touchesContent: false },
    );
    const [job] = await findDeliveryJobs({ db: db.read, ids });
    if (!job) break;
    await attempt(db, policy, job, now());
    sent++;
  }
  return sent;
}
