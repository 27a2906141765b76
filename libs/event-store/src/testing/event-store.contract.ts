import { randomUUID } from 'node:crypto';
import { EventStoreErrorCode } from '../event-store.errors';
import type { EventStore, NewEvent, StoredEvent } from '../event-store.port';
import { verifyChain } from '../verify-chain';
import type { StoreHarness } from './store-harness';

/** A fact as the store sees it: any type, any JSON data. */
export function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    eventId: randomUUID(),
    type: 'PaymentMade',
    occurredAt: '2025-11-06T09:00:00Z',
    source: 'test',
    data: { paymentId: 'p1', amount: { amount: '10.50', currency: 'USD' } },
    ...overrides,
  };
}

const codeOf = async (work: Promise<unknown>) => {
  try {
    await work;
    return 'ok';
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
};

export interface ContractOptions {
  /**
   * Tampering an adapter's database cannot undergo, each with the reason: its tests are reported
   * as skipped, with the reason in their names (EventStoreDB changes and deletes no event through
   * its API, so only someone with its files could; its in-memory stand-in covers those tests).
   */
  cannot?: Partial<Record<keyof StoreHarness['tamper'], string>>;
}

/**
 * The event store contract: written once, run against every adapter.
 * `name` labels the suite; `createHarness` gives each test a fresh, empty store.
 */
export function describeEventStoreContract(name: string, createHarness: () => StoreHarness, options: ContractOptions = {}): void {
  /** A test that tampers with the store: skipped, saying why, where the store cannot be tampered with that way. */
  const tampering = (tamper: keyof StoreHarness['tamper'], title: string, test: () => Promise<void>) => {
    const reason = options.cannot?.[tamper];
    if (reason) it.skip(`${title} (skipped: ${reason})`, test);
    else it(title, test);
  };
  describe(`event store contract: ${name}`, () => {
    let harness: StoreHarness;
    let store: EventStore;

    beforeEach(async () => {
      harness = createHarness();
      store = await harness.open();
    });
    afterEach(async () => {
      await harness.dispose();
    });

    describe('appending', () => {
      it('numbers positions from 1 without gaps and stream versions from 0', async () => {
        const first = await store.append('payment-a', [newEvent(), newEvent()], { expectedVersion: 'no_stream' });
        const second = await store.append('payment-b', [newEvent()]);
        const third = await store.append('payment-a', [newEvent()], { expectedVersion: 1 });
        expect(first.events.map((e) => [e.position, e.streamVersion, e.status])).toEqual([
          [1, 0, 'appended'],
          [2, 1, 'appended'],
        ]);
        expect(second.events[0]).toMatchObject({ position: 3, streamVersion: 0 });
        expect(third).toMatchObject({ headPosition: 4, events: [{ position: 4, streamVersion: 2, streamId: 'payment-a' }] });
        expect((await store.readAll()).map((e) => e.position)).toEqual([1, 2, 3, 4]);
      });

      it('checks expected versions: any, no_stream, stream_exists, an exact revision', async () => {
        await store.append('s', [newEvent()]);
        expect(await codeOf(store.append('s', [newEvent()], { expectedVersion: 'no_stream' }))).toBe(EventStoreErrorCode.WrongExpectedVersion);
        expect(await codeOf(store.append('t', [newEvent()], { expectedVersion: 'stream_exists' }))).toBe(EventStoreErrorCode.WrongExpectedVersion);
        expect(await codeOf(store.append('s', [newEvent()], { expectedVersion: 5 }))).toBe(EventStoreErrorCode.WrongExpectedVersion);
        expect(await codeOf(store.append('s', [newEvent()], { expectedVersion: 0 }))).toBe('ok');
        expect(await codeOf(store.append('s', [newEvent()], { expectedVersion: 'stream_exists' }))).toBe('ok');
        expect(await codeOf(store.append('s', [newEvent()], { expectedVersion: 'any' }))).toBe('ok');
        expect((await store.readStream('s')).map((e) => e.streamVersion)).toEqual([0, 1, 2, 3]);
        expect((await store.head()).position).toBe(4);
      });

      it('reports the same eventId with the same content as a duplicate and stores nothing', async () => {
        const event = newEvent({ data: { b: '1', a: { y: '10.50', x: 'z' } } });
        await store.append('s', [event]);
        const again = await store.append('s', [
          { ...event, eventId: event.eventId.toUpperCase(), occurredAt: '2025-11-06T10:00:00+01:00', data: { a: { x: 'z', y: '10.50' }, b: '1' } },
        ]);
        expect(again).toEqual({ headPosition: 1, events: [{ eventId: event.eventId, status: 'duplicate', position: 1, streamId: 's', streamVersion: 0 }] });
        expect(await store.readAll()).toHaveLength(1);
      });

      it('refuses the same eventId with other content (event_id_conflict), writing nothing of the append', async () => {
        const event = newEvent({ data: { amount: '10.5' } });
        await store.append('s', [event]);
        const fresh = newEvent();
        for (const changed of [{ data: { amount: '10.50' } }, { type: 'Other' }, { source: 'other' }, { occurredAt: '2025-11-06T09:00:00.001Z' }]) {
          expect(await codeOf(store.append('s', [fresh, { ...event, ...changed }]))).toBe(EventStoreErrorCode.EventIdConflict);
        }
        expect((await store.readAll()).map((e) => e.eventId)).toEqual([event.eventId]);
      });

      it('treats a repeated eventId within one append as a duplicate of its first occurrence', async () => {
        const event = newEvent();
        const result = await store.append('s', [event, { ...event }]);
        expect(result.events.map((e) => [e.status, e.position])).toEqual([
          ['appended', 1],
          ['duplicate', 1],
        ]);
      });

      it('lets a retried append succeed as a no-op even with a stale expected version', async () => {
        const events = [newEvent(), newEvent()];
        await store.append('s', events, { expectedVersion: 'no_stream' });
        const retry = await store.append('s', events, { expectedVersion: 'no_stream' });
        expect(retry.events.map((e) => e.status)).toEqual(['duplicate', 'duplicate']);
      });

      it('appends to several streams atomically: one failed expectation writes nothing', async () => {
        await store.append('a', [newEvent()]);
        const outcome = await codeOf(
          store.appendMany([
            { streamId: 'b', events: [newEvent()], expectedVersion: 'no_stream' },
            { streamId: 'a', events: [newEvent()], expectedVersion: 'no_stream' },
          ]),
        );
        expect(outcome).toBe(EventStoreErrorCode.WrongExpectedVersion);
        expect(await store.readAll()).toHaveLength(1);
        expect(await store.readStream('b')).toEqual([]);
      });

      it('reads whole streams and skips its own lookup when the session already checked the ids', async () => {
        await store.append('a', [newEvent(), newEvent()]);
        await store.append('b', [newEvent()]);
        const known = newEvent();
        await store.append('c', [known]);
        await store.withAppendLock(async (session) => {
          expect((await session.readStreams(['b', 'a', 'none'])).map((e) => e.position)).toEqual([1, 2, 3]);
          const result = await session.append([{ streamId: 'a', events: [newEvent()] }], { eventIdsChecked: true });
          expect(result.events[0]).toMatchObject({ position: 5, streamVersion: 2 });
        });
        // a duplicate slipped past a caller that claimed to have checked is still refused by the index
        expect(
          await codeOf(store.withAppendLock((session) => session.append([{ streamId: 'c', events: [known] }], { eventIdsChecked: true }))),
        ).not.toBe('ok');
        expect((await store.head()).position).toBe(5);
      });

      it('keeps stream versions right when another writer appends between two of its own appends', async () => {
        const other = await harness.open();
        await store.append('s', [newEvent()]);
        await other.append('s', [newEvent()]);
        const result = await store.append('s', [newEvent()]);
        expect(result.events[0].streamVersion).toBe(2);
        expect(await codeOf(store.append('s', [newEvent()], { expectedVersion: 2 }))).toBe('ok');
      });

      it('rolls back everything appended under the lock when the work fails', async () => {
        await expect(
          store.withAppendLock(async (session) => {
            await session.append([{ streamId: 's', events: [newEvent()] }]);
            expect(await session.readAll()).toHaveLength(1); // the session sees its own write
            throw new Error('changed my mind');
          }),
        ).rejects.toThrow('changed my mind');
        expect(await store.readAll()).toEqual([]);
        expect((await store.head()).position).toBe(0);
        expect((await store.append('s', [newEvent()])).events[0]).toMatchObject({ position: 1, streamVersion: 0 });
      });

      // Large enough that a store writing an append in parts (PostgreSQL: 2,000 events per part)
      // meets the failure after it has sent earlier parts: still nothing of the append may stay.
      describe('an append of 7,000 events', () => {
        const LARGE = 7000;
        const appendsOf = (events: NewEvent[]) => events.map((event, i) => ({ streamId: `large-${i % 500}`, events: [event] }));
        const large = () => Array.from({ length: LARGE }, (_, i) => newEvent({ data: { n: String(i) } }));

        it('stores every event in order, verifiably, and the store goes on from its end', async () => {
          await store.append('first', [newEvent()]);
          const events = large();
          const result = await store.appendMany(appendsOf(events));
          expect(result.headPosition).toBe(LARGE + 1);
          expect(result.events.map((e) => e.position)).toEqual(events.map((_, i) => i + 2));
          expect(result.events.at(-1)).toMatchObject({ streamId: 'large-499', streamVersion: LARGE / 500 - 1 });
          const stored = await store.readAll({ after: 1, limit: LARGE });
          expect(stored.map((e) => e.eventId)).toEqual(events.map((e) => e.eventId));
          expect(await verifyChain(store, { pageSize: 1000 })).toMatchObject({ ok: true, checked: LARGE + 1 });
          const next = await store.append('large-0', [newEvent()], { expectedVersion: LARGE / 500 - 1 });
          expect(next.events[0]).toMatchObject({ position: LARGE + 2, streamVersion: LARGE / 500 });
        });

        it('writes nothing when its last event conflicts with a stored one, and the store stays usable', async () => {
          const stored = newEvent();
          await store.append('first', [stored]);
          const events = [...large(), { ...stored, source: 'other' }];
          expect(await codeOf(store.appendMany(appendsOf(events)))).toBe(EventStoreErrorCode.EventIdConflict);
          expect((await store.head()).position).toBe(1);
          expect(await store.readAll()).toHaveLength(1);
          expect((await store.append('large-0', [newEvent()], { expectedVersion: 'no_stream' })).events[0]).toMatchObject({ position: 2 });
          expect((await verifyChain(store)).ok).toBe(true);
        });

        it('writes nothing when an expectation fails near its end', async () => {
          await store.append('taken', [newEvent()]);
          const appends = [...appendsOf(large()), { streamId: 'taken', events: [newEvent()], expectedVersion: 'no_stream' as const }];
          expect(await codeOf(store.appendMany(appends))).toBe(EventStoreErrorCode.WrongExpectedVersion);
          expect((await store.head()).position).toBe(1);
          expect(await store.readStream('large-7')).toEqual([]);
        });
      });

      it('refuses what it cannot store: invalid_event', async () => {
        expect(await codeOf(store.append('s', [newEvent({ eventId: 'not-a-uuid' })]))).toBe(EventStoreErrorCode.InvalidEvent);
        expect(await codeOf(store.append('s', [newEvent({ occurredAt: 'yesterday' })]))).toBe(EventStoreErrorCode.InvalidEvent);
        expect(await codeOf(store.append('', [newEvent()]))).toBe(EventStoreErrorCode.InvalidEvent);
        expect(await codeOf(store.append('s', [newEvent({ source: 'a\u0000b' })]))).toBe(EventStoreErrorCode.InvalidEvent);
        expect(await store.readAll()).toEqual([]);
      });
    });

    describe('reading', () => {
      it('keeps every field of the event, its data, provenance and hash', async () => {
        const event = newEvent({
          schemaVersion: 1,
          occurredAt: '2025-11-06T10:00:00.5+01:00',
          data: { z: 'last', a: 'first', nested: { amount: '1.10' } },
          metadata: { import: { file: 'x.ndjson', line: 3 } },
        });
        await store.append('payment-x', [event]);
        const [stored] = await store.readAll();
        expect(stored).toEqual<StoredEvent>({
          position: 1,
          eventId: event.eventId.toLowerCase(),
          streamId: 'payment-x',
          streamVersion: 0,
          type: 'PaymentMade',
          schemaVersion: 1,
          occurredAt: '2025-11-06T10:00:00.5+01:00',
          occurredKey: '2025-11-06T09:00:00.500000000Z',
          recordedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
          source: 'test',
          data: { a: 'first', nested: { amount: '1.10' }, z: 'last' },
          metadata: { import: { file: 'x.ndjson', line: 3 } },
          hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        });
      });

      it('stores any text exactly: escapes, control characters, backslashes, unicode', async () => {
        const awkward = 'tab\there\nnew line \\ back\\slash \\N "quoted" \r ünïcödé 😀 \u0001 \\t';
        const event = newEvent({ source: 'back\\slash "source"', data: { text: awkward, [awkward]: [awkward, { deep: awkward }] } });
        await store.append('stream with \\ and "quotes"', [event]);
        const [stored] = await store.readAll();
        expect(stored).toMatchObject({ source: event.source, data: event.data, streamId: 'stream with \\ and "quotes"' });
        expect((await verifyChain(store)).ok).toBe(true);
      });

      it('reads a stream from a version, all from a position, and events by id', async () => {
        const ids = [newEvent(), newEvent(), newEvent(), newEvent()];
        await store.append('a', [ids[0], ids[1]]);
        await store.append('b', [ids[2]]);
        await store.append('a', [ids[3]]);
        expect((await store.readStream('a', { fromVersion: 1 })).map((e) => e.position)).toEqual([2, 4]);
        expect((await store.readStream('a', { fromVersion: 0, limit: 1 })).map((e) => e.position)).toEqual([1]);
        expect(await store.readStream('nothing')).toEqual([]);
        expect((await store.readAll({ after: 1, limit: 2 })).map((e) => e.position)).toEqual([2, 3]);
        expect((await store.readAll({ after: 4 }))).toEqual([]);
        const found = await store.findEvents([ids[3].eventId.toUpperCase(), ids[0].eventId, randomUUID(), "x' OR 1=1 --"]);
        expect(found.map((e) => e.position)).toEqual([1, 4]);
      });

      it('filters the audit trail by stream, type, business time and ledger time', async () => {
        let now = Date.parse('2026-01-01T00:00:00Z');
        const timed = await harness.open({ clock: () => new Date((now += 60_000)) });
        await timed.append('a', [newEvent({ type: 'A', occurredAt: '2025-01-01T00:00:00Z' })]);
        await timed.append('b', [newEvent({ type: 'B', occurredAt: '2025-01-02T00:00:00+05:00' })]);
        await timed.append('a', [newEvent({ type: 'B', occurredAt: '2025-01-03T00:00:00Z' })]);
        const positions = async (filter: Parameters<EventStore['queryEvents']>[0]) => (await timed.queryEvents(filter)).map((e) => e.position);
        expect(await positions({ streamId: 'a' })).toEqual([1, 3]);
        expect(await positions({ type: 'B' })).toEqual([2, 3]);
        expect(await positions({ occurredFrom: '2025-01-01T19:00:00.000000000Z', occurredTo: '2025-01-02T23:00:00.000000000Z' })).toEqual([2]);
        expect(await positions({ recordedFrom: '2026-01-01T00:02:00.000Z' })).toEqual([2, 3]);
        expect(await positions({ recordedTo: '2026-01-01T00:02:00.000Z', type: 'B' })).toEqual([2]);
        expect((await timed.queryEvents({}, { after: 1, limit: 1 })).map((e) => e.position)).toEqual([2]);
      });

      it('reads in business order, cut by business time and by knowledge, and maps ledger time to a position', async () => {
        let now = Date.parse('2026-01-01T00:00:00Z');
        const timed = await harness.open({ clock: () => new Date((now += 1000)) });
        await timed.append('a', [newEvent({ occurredAt: '2025-01-03T00:00:00Z' }), newEvent({ occurredAt: '2025-01-01T00:00:00Z' })]);
        await timed.append('b', [newEvent({ occurredAt: '2025-01-02T00:00:00+01:00' }), newEvent({ occurredAt: '2025-01-01T00:00:00Z' })]);
        await timed.append('c', [newEvent({ occurredAt: '2025-01-05T00:00:00Z', type: 'EventReversed' })]);
        const order = async (page: Parameters<EventStore['readBusinessOrder']>[0]) => (await timed.readBusinessOrder(page)).map((e) => e.position);
        expect(await order({})).toEqual([2, 4, 3, 1, 5]);
        expect(await order({ asOf: '2025-01-02T00:00:00.000000000Z' })).toEqual([2, 4, 3]);
        expect(await order({ toPosition: 3 })).toEqual([2, 3, 1]);
        expect(await order({ after: { occurredKey: '2025-01-01T00:00:00.000000000Z', position: 2 }, limit: 2 })).toEqual([4, 3]);
        expect((await timed.queryEvents({ types: ['EventReversed', 'Nothing'] })).map((e) => e.position)).toEqual([5]);
        expect((await timed.queryEvents({ toPosition: 2 })).map((e) => e.position)).toEqual([1, 2]);
        const recorded = (await timed.readAll()).map((e) => e.recordedAt);
        expect(await timed.positionKnownAt('2025-12-31T00:00:00.000Z')).toBe(0);
        expect(await timed.positionKnownAt(recorded[1])).toBe(2);
        expect(await timed.positionKnownAt(recorded[3])).toBe(4);
        expect(await timed.positionKnownAt('2099-01-01T00:00:00.000Z')).toBe(5);
      });

      it('assigns recordedAt at append, later for every append, even when the clock steps back', async () => {
        const times = ['2026-01-01T00:00:05.000Z', '2026-01-01T00:00:01.000Z', '2026-01-01T00:00:09.000Z'];
        let call = 0;
        const timed = await harness.open({ clock: () => new Date(times[Math.min(call++, times.length - 1)]) });
        for (let i = 0; i < 3; i++) await timed.append('s', [newEvent()]);
        expect((await timed.readAll()).map((e) => e.recordedAt)).toEqual([
          '2026-01-01T00:00:05.000Z',
          '2026-01-01T00:00:05.001Z',
          '2026-01-01T00:00:09.000Z',
        ]);
        const together = await timed.append('t', [newEvent(), newEvent()]);
        const [a, b] = await timed.readAll({ after: together.headPosition - 2 });
        expect(a.recordedAt).toBe(b.recordedAt); // one append, one ledger time
      });

      it('keeps everything across a restart, and migrates only once', async () => {
        await store.append('s', [newEvent(), newEvent()]);
        const headBefore = await store.head();
        await store.close();
        const reopened = await harness.open();
        expect(await reopened.head()).toEqual(headBefore);
        expect(await reopened.readAll()).toHaveLength(2);
        await reopened.append('s', [newEvent()], { expectedVersion: 1 });
        expect((await verifyChain(reopened)).ok).toBe(true);
      });

      tampering('setSchemaVersion', 'refuses to open a store whose schema is newer than this code: unsupported_schema', async () => {
        await harness.tamper.setSchemaVersion(999);
        expect(await codeOf(harness.open())).toBe(EventStoreErrorCode.UnsupportedSchema);
      });
    });

    describe('subscribing', () => {
      it('delivers stored and new events in order, each once, from a position', async () => {
        await store.append('s', [newEvent(), newEvent(), newEvent()]);
        const seen: number[] = [];
        const subscription = store.subscribe((events) => void seen.push(...events.map((e) => e.position)), {
          after: 1,
          batchSize: 2,
          pollIntervalMs: 10,
        });
        await store.append('t', [newEvent()]);
        await store.append('s', [newEvent()]);
        await waitFor(() => seen.length >= 4);
        await subscription.stop();
        expect(seen).toEqual([2, 3, 4, 5]);
      });

      it('ends with the error when the handler fails', async () => {
        await store.append('s', [newEvent()]);
        const subscription = store.subscribe(() => Promise.reject(new Error('projection broke')), { after: 0, pollIntervalMs: 10 });
        await expect(subscription.done).rejects.toThrow('projection broke');
      });
    });

    describe('concurrency', () => {
      it('lets exactly one of two writers win a race on one stream with the same expected version', async () => {
        const other = await harness.open();
        for (let round = 0; round < 20; round++) {
          const stream = `race-${round}`;
          await store.append(stream, [newEvent()]);
          const outcomes = await Promise.all([
            codeOf(store.append(stream, [newEvent()], { expectedVersion: 0 })),
            codeOf(other.append(stream, [newEvent()], { expectedVersion: 0 })),
          ]);
          expect(outcomes.sort()).toEqual(['ok', EventStoreErrorCode.WrongExpectedVersion].sort());
          expect(await store.readStream(stream)).toHaveLength(2);
        }
      });

      it('shows a reader polling from its last position every event exactly once while eight writers append', async () => {
        const writers = [store, ...(await Promise.all(Array.from({ length: 7 }, () => harness.open())))];
        for (let round = 0; round < 15; round++) {
          const seen = new Map<string, number>();
          let last = (await store.head()).position;
          let writing = true;
          const reader = (async () => {
            while (writing || last < (await store.head()).position) {
              const events = await store.readAll({ after: last, limit: 50 });
              for (const event of events) {
                seen.set(event.eventId, (seen.get(event.eventId) ?? 0) + 1);
                last = event.position;
              }
              if (events.length === 0) await new Promise((resolve) => setImmediate(resolve));
            }
          })();
          const appended = await Promise.all(
            writers.map(async (writer, w) => {
              const ids: string[] = [];
              for (let i = 0; i < 10; i++) {
                const batch = Array.from({ length: 1 + ((i + w) % 3) }, () => newEvent());
                await writer.append(`writer-${w}-${round}`, batch);
                ids.push(...batch.map((e) => e.eventId));
              }
              return ids;
            }),
          );
          writing = false;
          await reader;
          const all = appended.flat();
          expect(seen.size).toBe(all.length);
          expect([...seen.values()].every((count) => count === 1)).toBe(true);
          expect(all.every((id) => seen.has(id))).toBe(true);
        }
        expect((await verifyChain(store)).ok).toBe(true);
      });
    });

    describe('the hash chain', () => {
      const seed = async () => {
        for (let i = 0; i < 6; i++) await store.append(`s-${i % 2}`, [newEvent({ data: { n: String(i * 10) } })]);
      };

      it('verifies an untouched store, empty or not', async () => {
        expect(await verifyChain(store)).toMatchObject({ ok: true, checked: 0, headPosition: 0, problem: null });
        await seed();
        const report = await verifyChain(store, { pageSize: 4 });
        expect(report).toMatchObject({ ok: true, checked: 6, headPosition: 6, problem: null });
        expect(report.headHash).toBe((await store.readAll()).at(-1)!.hash);
      });

      tampering('changeDataByte', 'names the position of a changed byte', async () => {
        await seed();
        await harness.tamper.changeDataByte(3);
        expect((await verifyChain(store)).problem).toMatchObject({ position: 3, kind: 'modified' });
      });

      tampering('changeOccurredKey', 'names the position of a changed business-time index', async () => {
        await seed();
        await harness.tamper.changeOccurredKey(5);
        expect((await verifyChain(store)).problem).toMatchObject({ position: 5, kind: 'modified' });
      });

      tampering('deleteRow', 'names the position of a deleted row, in the middle or at the end', async () => {
        await seed();
        await harness.tamper.deleteRow(4);
        expect((await verifyChain(store)).problem).toMatchObject({ position: 4, kind: 'missing' });
        await harness.tamper.deleteRow(6);
        await harness.tamper.deleteRow(5);
        // the first problem is still the one reported
        expect((await verifyChain(store)).problem).toMatchObject({ position: 4, kind: 'missing' });
      });

      tampering('deleteRow', 'names the position of a deleted last row', async () => {
        await seed();
        await harness.tamper.deleteRow(6);
        expect((await verifyChain(store)).problem).toMatchObject({ position: 6, kind: 'missing' });
      });

      tampering('insertForgedRowAfter', 'names the position of a forged row', async () => {
        await seed();
        await harness.tamper.insertForgedRowAfter(6);
        expect((await verifyChain(store)).problem).toMatchObject({ position: 7 });
      });

      tampering('swapRows', 'names the first position of two swapped rows', async () => {
        await seed();
        await harness.tamper.swapRows(2, 5);
        expect((await verifyChain(store)).problem).toMatchObject({ position: 2, kind: 'modified' });
      });

      it('checks an anchor recorded earlier', async () => {
        await seed();
        const { headPosition, headHash } = await verifyChain(store);
        expect((await verifyChain(store, { anchor: { position: headPosition, hash: headHash! } })).ok).toBe(true);
        expect((await verifyChain(store, { anchor: { position: 3, hash: 'f'.repeat(64) } })).problem).toMatchObject({ position: 3 });
      });
    });
  });
}

async function waitFor(condition: () => boolean, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
