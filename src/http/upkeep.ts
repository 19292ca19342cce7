import type { FastifyInstance } from 'fastify';

declare module 'fastify' {
  interface FastifyInstance {
    /** Runs every upkeep task once, now (the timer calls it too; tests call it after moving the clock). */
    runUpkeep(): Promise<void>;
  }
}

export interface UpkeepTask {
  name: string;
  run(): Promise<unknown>;
}

/**
 * Background chores (announcing scheduled publications, pruning old events) on one timer, started
 * when the app is ready and stopped on close. Each task is safe to run from several processes.
 */
export function installUpkeep(
  app: FastifyInstance,
  { intervalMs, tasks }: { intervalMs: number; tasks: UpkeepTask[] },
) {
  let running: Promise<void> | undefined;
  const runAll = async () => {
    for (const task of tasks) {
      try {
        await task.run();
      } catch (error) {
        app.log.warn({ err: error, task: task.name }, 'upkeep task failed; retried on the next tick');
      }
    }
  };
  // One run at a time: a slow tick is never overlapped by the next.
  const runUpkeep = () => {
    running ??= runAll().finally(() => {
      running = undefined;
    });
    return running;
  };
  app.decorate('runUpkeep', runUpkeep);
  let timer: NodeJS.Timeout | undefined;
  app.addHook('onReady', async () => {
    timer = setInterval(() => void runUpkeep(), intervalMs);
    timer.unref();
  });
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await running;
  });
}
