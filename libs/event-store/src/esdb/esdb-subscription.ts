import { EventStoreError, EventStoreErrorCode, isEventStoreError } from '../event-store.errors';
import type { StoredEvent, SubscribeOptions, Subscription } from '../event-store.port';
import { storedEventOf } from '../stored-event';
import type { EsdbAllSubscription, EsdbGateway } from './esdb-gateway';
import { chainRecordOfLogEvent, EsdbCheckpoint, esdbPositionOf, EsdbStreams } from './esdb-records';

/** A subscription that can say where it stands, to resume from exactly there. */
export interface CheckpointedSubscription extends Subscription {
  /** The last position delivered (and handled), with the $all position to resume after it. */
  checkpoint(): EsdbCheckpoint;
}

export interface CatchUpOptions extends Pick<SubscribeOptions, 'batchSize'> {
  /** Where to start: after this checkpoint. */
  from: EsdbCheckpoint;
  /** Resubscriptions after the connection dropped, before giving up (reset by every delivered batch). */
  maxRetries?: number;
  retryDelayMs?: number;
}

class HandlerFailed {
  constructor(readonly error: unknown) {}
}

/**
 * A catch-up subscription to $all, filtered on the server to capflow's log stream (no system
 * events, no links, nothing of other applications): it reads the history after `from`, then
 * follows live appends. Events reach the handler in position order, in batches (a batch ends
 * when it is full or when nothing more is buffered). The checkpoint moves after each handled
 * batch, and with the server's checkpoints while filtered-out events pass, so a resubscription
 * (the connection dropped) resumes right there instead of rescanning; events delivered twice
 * around a resubscription are skipped by position, and a gap is an error.
 */
export function catchUpSubscription(
  gateway: EsdbGateway,
  streams: EsdbStreams,
  handler: (events: StoredEvent[]) => Promise<void> | void,
  options: CatchUpOptions,
): CheckpointedSubscription {
  const batchSize = options.batchSize ?? 1000;
  const maxRetries = options.maxRetries ?? 5;
  let checkpoint = options.from;
  let running = true;
  let current: EsdbAllSubscription | null = null;

  const consume = async (subscription: EsdbAllSubscription, onDelivered: () => void) => {
    let batch: StoredEvent[] = [];
    let pending = checkpoint;
    for await (const item of subscription) {
      if (!running) return;
      if (item.kind === 'checkpoint') {
        // only when nothing is waiting: a server checkpoint may overtake events still buffered
        if (batch.length === 0 && subscription.buffered() === 0) checkpoint = { ...checkpoint, ...item.position };
        continue;
      }
      const record = chainRecordOfLogEvent(item.event);
      if (record.position <= pending.position) continue; // seen before a resubscription
      if (record.position !== pending.position + 1) {
        throw new EventStoreError(
          EventStoreErrorCode.CorruptEvent,
          `the subscription to ${streams.log} went from position ${pending.position} to ${record.position}: run verify`,
          { position: pending.position + 1 },
        );
      }
      batch.push(storedEventOf(record));
      const at = item.event.position ?? pending;
      pending = { position: record.position, commit: at.commit, prepare: at.prepare };
      if (batch.length >= batchSize || subscription.buffered() === 0) {
        try {
          await handler(batch);
        } catch (error) {
          throw new HandlerFailed(error);
        }
        batch = [];
        checkpoint = pending;
        onDelivered();
        if (!running) return;
      }
    }
  };

  const run = async () => {
    let failures = 0;
    while (running) {
      const subscription = gateway.subscribeToAll({ from: esdbPositionOf(checkpoint), streamNameRegex: streams.logFilter, checkpointInterval: 1 });
      current = subscription;
      try {
        await consume(subscription, () => (failures = 0));
        if (!running) return;
        throw new EventStoreError(EventStoreErrorCode.StoreUnavailable, `EventStoreDB at ${gateway.target} ended the subscription`);
      } catch (error) {
        if (error instanceof HandlerFailed) throw error.error;
        if (!running) return;
        if (!isEventStoreError(error, EventStoreErrorCode.StoreUnavailable) || ++failures > maxRetries) throw error;
        await new Promise((resolve) => setTimeout(resolve, (options.retryDelayMs ?? 500) * 2 ** (failures - 1)));
      } finally {
        current = null;
        await subscription.close().catch(() => undefined);
      }
    }
  };

  const done = run();
  done.catch(() => undefined); // observed through `done`
  return {
    done,
    checkpoint: () => checkpoint,
    async stop() {
      running = false;
      await (current as EsdbAllSubscription | null)?.close().catch(() => undefined);
      await done.catch(() => undefined);
    },
  };
}
