import { AppendPlanner, planAppend, prepareAppends, slicesOf } from './append-plan';
import { EventStoreErrorCode } from './event-store.errors';
import type { StreamAppend } from './event-store.port';

const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
const event = (n: number, data: Record<string, unknown> = { n: String(n) }) => ({
  eventId: uuid(n),
  type: 'PaymentMade',
  occurredAt: '2025-11-06T09:00:00Z',
  source: 'test',
  data,
});
const head = { position: 10, hash: 'f'.repeat(64), recordedAt: '2025-11-06T00:00:00.000Z' };
const RECORDED = '2025-11-07T00:00:00.000Z';

/** Streams a–e, some with several events, a repeated eventId, and streams that exist at versions. */
function appends(): StreamAppend[] {
  const list: StreamAppend[] = [];
  for (let i = 0; i < 40; i++) list.push({ streamId: `s-${i % 5}`, events: i % 7 === 0 ? [event(i), event(i + 1000)] : [event(i)] });
  list.push({ streamId: 's-1', events: [event(3)] }); // a repeat of an earlier event in the same append
  return list;
}

function inSlices(prepared: ReturnType<typeof prepareAppends>, size: number) {
  const planner = new AppendPlanner(head, new Map([['s-2', 4]]), new Map(), RECORDED);
  const rows = slicesOf(prepared, size).flatMap((slice) => planner.plan(slice));
  return { rows, ...planner.outcome() };
}

describe('planning an append in slices', () => {
  it('gives the same rows, hash chain, outcomes and head as planning it whole, whatever the slice size', () => {
    const prepared = prepareAppends(appends());
    const whole = planAppend(prepared, head, new Map([['s-2', 4]]), new Map(), RECORDED);
    expect(whole.rows).toHaveLength(46); // 40 appends, 6 of them with two events; the repeat is not a row
    expect(whole.result.events.filter((e) => e.status === 'duplicate')).toHaveLength(1);
    for (const size of [1, 2, 3, 7, 44, 1000]) expect(inSlices(prepared, size)).toEqual(whole);
  });

  it('slices never split a stream append and keep their order', () => {
    const prepared = prepareAppends(appends());
    const slices = slicesOf(prepared, 4);
    expect(slices.flat()).toEqual(prepared);
    for (const slice of slices.slice(0, -1)) {
      const events = slice.reduce((sum, append) => sum + append.events.length, 0);
      expect(events).toBeGreaterThanOrEqual(4);
      expect(events - slice.at(-1)!.events.length).toBeLessThan(4);
    }
    expect(slicesOf([], 4)).toEqual([]);
  });

  it('fails in the slice that meets a conflict, after planning the earlier ones', () => {
    const prepared = prepareAppends([...appends(), { streamId: 's-0', events: [event(5, { n: 'other' })] }]);
    const planner = new AppendPlanner(head, new Map(), new Map(), RECORDED);
    const slices = slicesOf(prepared, 10);
    for (const slice of slices.slice(0, -1)) expect(() => planner.plan(slice)).not.toThrow();
    expect(() => planner.plan(slices.at(-1)!)).toThrow(expect.objectContaining({ code: EventStoreErrorCode.EventIdConflict }));
  });

  it('leaves the head as it was when nothing new is planned', () => {
    const planner = new AppendPlanner(head, new Map(), new Map(), RECORDED);
    expect(planner.plan([])).toEqual([]);
    expect(planner.outcome()).toEqual({ result: { events: [], headPosition: 10 }, head });
  });
});
