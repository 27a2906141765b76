import type { ReadPage, StoredEvent, Subscription, SubscribeOptions } from './event-store.port';

/**
 * Delivers events in position order, in batches, starting after `options.after`, polling when
 * caught up. Correct for any store whose positions become visible in order (every adapter here).
 */
export function pollingSubscription(
  readAll: (page: ReadPage) => Promise<StoredEvent[]>,
  handler: (events: StoredEvent[]) => Promise<void> | void,
  options: SubscribeOptions,
): Subscription {
  const batchSize = options.batchSize ?? 1000;
  const pollIntervalMs = options.pollIntervalMs ?? 200;
  let running = true;
  let wake: (() => void) | null = null;

  const run = async () => {
    let after = options.after;
    while (running) {
      const events = await readAll({ after, limit: batchSize });
      if (!running) break;
      if (events.length > 0) {
        await handler(events);
        after = events[events.length - 1].position;
        continue;
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollIntervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
    }
  };
  const done = run();
  done.catch(() => undefined); // observed through `done`; never an unhandled rejection
  return {
    done,
    async stop() {
      running = false;
      (wake as (() => void) | null)?.();
      await done.catch(() => undefined);
    },
  };
}
