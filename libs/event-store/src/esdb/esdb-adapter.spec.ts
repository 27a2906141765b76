// The EventStoreDB adapter's own machinery, over the in-memory EventStoreDB (no server): the
// append lock, the dedup index, links completed after a crash, appends split under the maximum
// append size, a writer that lost its lease, and the $all subscription's checkpoints.
import { randomUUID } from 'node:crypto';
import { EventStoreError, EventStoreErrorCode } from '../event-store.errors';
import type { StoredEvent } from '../event-store.port';
import { newEvent } from '../testing/event-store.contract';
import { InMemoryEsdb } from '../testing/esdb-memory';
import { verifyChain } from '../verify-chain';
import type { EsdbExpectedRevision, EsdbGateway, EsdbProposedEvent } from './esdb-gateway';
import { EsdbEventStore } from './esdb-event-store';
import { EsdbAppendLock, isTakeable, lockStateOf } from './esdb-lock';
import { EsdbStreams, formatCheckpoint } from './esdb-records';

const streams = new EsdbStreams('');
const LOCK = { maxPollMs: 5, leaseMs: 2000 };

/** A connection to the in-memory server that records appends and can be told to fail some. */
function wiretap(server: InMemoryEsdb, fail?: (stream: string, expected: EsdbExpectedRevision) => boolean) {
  const inner = server.gateway();
  const appends: { stream: string; count: number; expected: EsdbExpectedRevision }[] = [];
  const gateway: EsdbGateway = {
    target: inner.target,
    async append(stream: string, events: readonly EsdbProposedEvent[], expected: EsdbExpectedRevision) {
      if (fail?.(stream, expected)) throw new EventStoreError(EventStoreErrorCode.StoreUnavailable, `lost the connection appending to ${stream}`);
      appends.push({ stream, count: events.length, expected });
      return inner.append(stream, events, expected);
    },
    read: (stream, options) => inner.read(stream, options),
    subscribeToAll: (options) => inner.subscribeToAll(options),
    limitStreamLength: (stream, maxCount) => inner.limitStreamLength(stream, maxCount),
    close: () => inner.close(),
  };
  return { gateway, appends };
}

const open = (gateway: EsdbGateway, maxAppendSize?: number) => EsdbEventStore.over(gateway, { namespace: '', maxAppendSize }, { lock: LOCK });

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('the EventStoreDB adapter', () => {
  let server: InMemoryEsdb;
  beforeEach(() => {
    server = new InMemoryEsdb();
  });

  it('appends to capflow streams only under exact revisions, never `any`', async () => {
    const { gateway, appends } = wiretap(server);
    const store = await open(gateway);
    await store.append('party-a', [newEvent(), newEvent()]);
    await store.appendMany([
      { streamId: 'party-a', events: [newEvent()] },
      { streamId: 'invoice-1', events: [newEvent()] },
    ]);
    expect(appends.length).toBeGreaterThan(0);
    expect(appends.filter((a) => a.expected === 'any')).toEqual([]);
    expect(appends.filter((a) => a.stream === 'capflow-log').map((a) => a.expected)).toEqual(['no_stream', 1n]);
    expect(appends.filter((a) => a.stream === 'party-a').map((a) => a.expected)).toEqual(['no_stream', 1n]);
    // the dedup link of every fact is written before the fact itself
    const firstLog = appends.findIndex((a) => a.stream === 'capflow-log');
    expect(appends.slice(0, firstLog).filter((a) => a.stream.startsWith('capflow-id-'))).toHaveLength(2);
  });

  it('writes an append larger than the maximum append size in several log appends, contiguous and verifiable', async () => {
    const { gateway, appends } = wiretap(server);
    const store = await open(gateway, 6000);
    const events = Array.from({ length: 30 }, (_, i) => newEvent({ data: { i: String(i), pad: 'x'.repeat(300) } }));
    const result = await store.append('s', events);
    expect(result.events.map((e) => e.position)).toEqual(events.map((_, i) => i + 1));
    expect(appends.filter((a) => a.stream === 'capflow-log').length).toBeGreaterThan(2);
    expect((await store.readStream('s')).map((e) => e.streamVersion)).toEqual(events.map((_, i) => i));
    expect((await verifyChain(store)).ok).toBe(true);
  });

  it('completes the links of a writer that died between its commit and its links', async () => {
    const healthy = await open(server.gateway());
    await healthy.append('party-a', [newEvent()]);
    const { gateway } = wiretap(server, (stream) => stream === 'party-a' || stream === 'invoice-1');
    const dying = await open(gateway);
    const lost = [newEvent(), newEvent()];
    await expect(dying.appendMany([{ streamId: 'party-a', events: [lost[0]] }, { streamId: 'invoice-1', events: [lost[1]] }])).rejects.toThrow(
      'lost the connection',
    );
    // committed to the log, but the streams do not show it yet
    expect((await healthy.readAll()).map((e) => e.eventId)).toHaveLength(3);
    expect(await healthy.readStream('invoice-1')).toEqual([]);
    // the next writer completes them under the lock before it appends
    const next = newEvent();
    const result = await healthy.append('party-a', [next], { expectedVersion: 1 });
    expect(result.events[0]).toMatchObject({ position: 4, streamVersion: 2 });
    expect((await healthy.readStream('party-a')).map((e) => e.position)).toEqual([1, 2, 4]);
    expect((await healthy.readStream('invoice-1')).map((e) => e.eventId)).toEqual([lost[1].eventId]);
    expect((await healthy.findEvents([lost[0].eventId])).map((e) => e.position)).toEqual([2]);
  });

  it('ignores the dedup link of an append whose commit failed, and stores the fact once when it comes again', async () => {
    const { gateway } = wiretap(server, (stream) => stream === 'capflow-log');
    const failing = await open(gateway);
    const event = newEvent();
    await expect(failing.append('s', [event])).rejects.toThrow('lost the connection');
    const store = await open(server.gateway());
    expect(await store.findEvents([event.eventId])).toEqual([]);
    expect((await store.append('s', [event])).events[0]).toMatchObject({ status: 'appended', position: 1 });
    expect((await store.append('s', [event])).events[0]).toMatchObject({ status: 'duplicate', position: 1 });
    expect((await store.findEvents([event.eventId])).map((e) => e.position)).toEqual([1]);
    expect(server.read(streams.eventId(event.eventId))).toHaveLength(2); // the orphan and the real one
  });

  it('refuses to commit when another writer appended to the log meanwhile (its lease ran out): nothing of it is stored', async () => {
    const store = await open(server.gateway());
    const other = await open(server.gateway());
    await store.append('s', [newEvent()]);
    const mine = newEvent();
    const outcome = store.withAppendLock(async (session) => {
      await session.append([{ streamId: 's', events: [mine] }]);
      server.append(streams.log, [forgedCopyOfLast(server)], 0n); // the log moves under this writer
      return 'done';
    });
    await expect(outcome).rejects.toMatchObject({ code: EventStoreErrorCode.WrongExpectedVersion, message: expect.stringMatching(/nothing of this append was stored/) });
    expect((await other.readAll()).map((e) => e.position)).toEqual([1, 2]);
    expect(await other.findEvents([mine.eventId])).toEqual([]);
  });

  it('plans an append again when another writer got in first, so append() still succeeds', async () => {
    let sneaked = false;
    const { gateway, appends } = wiretap(server, (stream) => {
      if (stream === streams.log && !sneaked && server.read(streams.log).length === 1) {
        sneaked = true;
        server.append(streams.log, [forgedCopyOfLast(server)], 0n);
      }
      return false;
    });
    const store = await open(gateway);
    await store.append('s', [newEvent()]);
    const event = newEvent();
    const result = await store.append('t', [event]);
    expect(sneaked).toBe(true);
    expect(result.events[0]).toMatchObject({ status: 'appended', position: 3, streamVersion: 0 });
    // its first try (after revision 0) met the other writer's event; the second, planned again, went after it
    expect(appends.filter((a) => a.stream === streams.log).map((a) => a.expected)).toEqual(['no_stream', 0n, 1n]);
  });

  it('keeps the head beside the log: a log that lost its last events is refused, and does not verify', async () => {
    const store = await open(server.gateway());
    await store.append('s', [newEvent(), newEvent(), newEvent()]);
    server.tamper.remove(streams.log, 2);
    expect((await store.head()).position).toBe(3);
    expect((await verifyChain(store)).problem).toMatchObject({ position: 3, kind: 'missing' });
    await expect(store.append('s', [newEvent()])).rejects.toMatchObject({ code: EventStoreErrorCode.CorruptEvent });
  });

  describe('the append lock', () => {
    it('lets one writer hold it at a time; the next gets it when it is given back', async () => {
      const lock = new EsdbAppendLock(server.gateway(), streams.lock, LOCK);
      const first = await lock.acquire();
      let second = false;
      const waiting = lock.acquire().then((lease) => {
        second = true;
        return lease;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(second).toBe(false);
      await first.release(0, null);
      const lease = await waiting;
      expect(lease.held).toBe(true);
      await lease.release(5, { position: 5, hash: 'h', recordedAt: 't' });
      expect(lockStateOf(server.read(streams.lock, { from: 'end', backwards: true, count: 1 })[0])).toMatchObject({
        held: false,
        indexed: 5,
        head: { position: 5, hash: 'h', recordedAt: 't' },
      });
    });

    it('takes over a lease that ran out (its holder died), and the old holder then knows it lost it', async () => {
      const lock = new EsdbAppendLock(server.gateway(), streams.lock, { maxPollMs: 5, leaseMs: 60 });
      const dead = await lock.acquire();
      (dead as unknown as { timer: NodeJS.Timeout }).timer.unref();
      clearInterval((dead as unknown as { timer: NodeJS.Timeout }).timer); // it stopped renewing
      const started = Date.now();
      const next = await lock.acquire();
      expect(Date.now() - started).toBeGreaterThanOrEqual(40);
      expect(next.held).toBe(true);
      await (dead as unknown as { renew(): Promise<void> }).renew();
      expect(dead.held).toBe(false);
      await dead.release(0, null); // never throws
      await next.release(0, null);
    });

    it('reads a lock stream it does not know as free', () => {
      expect(lockStateOf(undefined)).toEqual({ revision: -1n, held: false, owner: null, until: 0, indexed: 0, head: null });
      expect(isTakeable({ revision: 3n, held: true, owner: 'a', until: 1000, indexed: 0, head: null }, 999)).toBe(false);
      expect(isTakeable({ revision: 3n, held: true, owner: 'a', until: 1000, indexed: 0, head: null }, 1000)).toBe(true);
    });
  });

  describe('the catch-up subscription to $all', () => {
    it('sees capflow facts only, and checkpoints both $all positions of what it handled', async () => {
      const store = await open(server.gateway());
      await store.append('s', [newEvent(), newEvent()]);
      // other applications' streams and system streams in between
      for (let i = 0; i < 40; i++) server.append(i % 2 ? '$stats-node' : 'other-app', [{ kind: 'json', id: randomUUID(), type: 'Noise', data: {} }], 'any');
      const seen: StoredEvent[] = [];
      const subscription = store.subscribe((events) => void seen.push(...events), { after: 0, batchSize: 10 });
      await waitFor(() => seen.length === 2);
      const logEvent = server.read(streams.log, { from: 1n, count: 1 })[0].event!;
      await waitFor(() => subscription.checkpoint().commit > logEvent.position!.commit); // the server's checkpoint, past the noise
      expect(subscription.checkpoint().position).toBe(2);
      await store.append('t', [newEvent()]);
      await waitFor(() => seen.length === 3);
      const third = server.read(streams.log, { from: 2n, count: 1 })[0].event!;
      expect(subscription.checkpoint()).toEqual({ position: 3, commit: third.position!.commit, prepare: third.position!.prepare });
      expect(seen.map((e) => e.position)).toEqual([1, 2, 3]);
      await subscription.stop();

      // resuming from the checkpoint (as text and back) delivers only what came after
      const checkpoint = subscription.checkpoint();
      expect(formatCheckpoint(checkpoint)).toBe(`3@${third.position!.commit}/${third.position!.prepare}`);
      await store.append('t', [newEvent()]);
      const later: number[] = [];
      const resumed = store.subscribeFrom(checkpoint, (events) => void later.push(...events.map((e) => e.position)));
      await waitFor(() => later.length === 1);
      await resumed.stop();
      expect(later).toEqual([4]);
    });

    it('starts after a capflow position by looking up its $all position', async () => {
      const store = await open(server.gateway());
      await store.append('s', [newEvent(), newEvent(), newEvent()]);
      const at = await store.checkpointAt(2);
      const second = server.read(streams.log, { from: 1n, count: 1 })[0].event!;
      expect(at).toEqual({ position: 2, commit: second.position!.commit, prepare: second.position!.prepare });
      expect(await store.checkpointAt(0)).toEqual({ position: 0, commit: 0n, prepare: 0n });
    });
  });
});

/** A copy of the log's last event as another writer might append it. */
function forgedCopyOfLast(server: InMemoryEsdb): EsdbProposedEvent {
  const [last] = server.read(streams.log, { from: 'end', backwards: true, count: 1 });
  const event = last.event!;
  return { kind: 'json', id: randomUUID(), type: event.type, data: event.data, metadata: event.metadata as Record<string, unknown> };
}
