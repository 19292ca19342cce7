import type { FastifyBaseLogger } from 'fastify';

/** A unit of background work; `run` does what is due and says how much it did (0: idle). */
export interface BackgroundJob {
  name: string;
  run(): Promise<number>;
}

export interface Background {
  /** Run soon: a write just committed and may have recorded events. */
  wake(): void;
  /** Runs every job until all are idle (tests, and shutdown). */
  drain(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs jobs one after another, never two rounds at once: woken after each write in this process,
 * and every `pollMs` for what other processes committed. A failing job is logged and tried again
 * next round (a busy or lost database is temporary).
 */
export function startBackground({
  jobs,
  pollMs,
  log,
}: {
  jobs: BackgroundJob[];
  /** null: no timer and no waking; only `drain` runs the jobs (tests drive them that way). */
  pollMs: number | null;
  log: FastifyBaseLogger;
}): Background {
  let current: Promise<void> | undefined;
  let again = false;
  let stopped = false;

  async function round(): Promise<void> {
    do {
      again = false;
      for (const job of jobs) {
        try {
          while (!stopped && (await job.run()) > 0);
        } catch (err) {
          log.warn({ err, job: job.name }, 'background job failed; retrying next round');
        }
      }
    } while (again && !stopped);
  }

  function wake(): void {
    if (stopped || pollMs === null) return;
    if (current) {
      again = true;
      return;
    }
    current = round().finally(() => {
      current = undefined;
    });
  }

  const timer = pollMs === null ? undefined : setInterval(wake, pollMs);
  timer?.unref();

  return {
    wake,
    async drain() {
      while (current) await current;
      current = round().finally(() => {
        current = undefined;
      });
      await current;
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      while (current) await current;
    },
  };
}
