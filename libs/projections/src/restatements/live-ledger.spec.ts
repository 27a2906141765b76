import { eventKey } from '@capflow/contracts';
import { exampleEvents, expectedReports } from '../testing/example-events';
import { computeLedgerView } from '../view/view-selection';
import type { ViewEvent } from '../view/view-event';
import { LiveLedger } from './live-ledger';
import type { Restatement } from './restatement';

/** Feeds events in position order, as the projector does, with reversal targets looked up. */
export function feed(events: ViewEvent[]): { ledger: LiveLedger; restatements: Restatement[] } {
  const ledger = new LiveLedger();
  const byKey = new Map(events.map((e) => [eventKey(e.event.eventId), e]));
  const restatements: Restatement[] = [];
  for (const viewEvent of [...events].sort((a, b) => a.position - b.position)) {
    const target = viewEvent.event.type === 'EventReversed' ? byKey.get(eventKey(viewEvent.event.data.reversedEventId)) : undefined;
    const restatement = ledger.apply(viewEvent, target);
    if (restatement) restatements.push(restatement);
  }
  const last = ledger.close();
  if (last) restatements.push(last);
  return { ledger, restatements };
}

describe('the live ledger (facts in the order they were recorded)', () => {
  const expected = expectedReports();
  const { ledger, restatements } = feed(exampleEvents());

  it('ends with the same reports as one pass in business order', () => {
    expect(ledger.view.balancesReport(null)).toEqual(expected.balances);
    expect(ledger.view.roundTripsReport('fifo', null)).toEqual(expected.fifo);
    expect(ledger.view.roundTripsReport('pro_rata', null)).toEqual(expected.pro_rata);
    const once = computeLedgerView(exampleEvents());
    expect(ledger.view.commitmentsReport(null)).toEqual(once.commitmentsReport(null));
    expect(ledger.view.creditsReport(null)).toEqual(once.creditsReport(null));
    expect(ledger.view.flowsReport(null)).toEqual(once.flowsReport(null));
  });

  it('restates for the late day-3 payment and the reversal imported together, naming the figures they changed', () => {
    expect(restatements).toHaveLength(1); // one append: the example imported in one go
    const [step] = restatements;
    expect(step).toMatchObject({ position: 20, frontier: '2025-11-08T09:00:00Z', restatedFrom: '2025-11-03T09:00:00Z' });
    expect(step.facts.map((f) => [f.position, f.kind, f.restatedFrom, f.reversedEventId])).toEqual([
      [20, 'late', '2025-11-03T09:00:00Z', null],
      [22, 'reversal', '2025-11-09T09:00:00Z', '00000000-0000-4000-8000-000000000015'],
    ]);
    expect(step.facts[0].balances).toEqual([
      { report: 'balances', partyId: 'openai', currency: 'USD', account: 'other_expense', before: '0.00', after: '50.00', delta: '50.00' },
      { report: 'balances', partyId: 'openai', currency: 'USD', account: 'cash', before: '300.00', after: '250.00', delta: '-50.00' },
      { report: 'balances', partyId: 'nvidia', currency: 'USD', account: 'cash', before: '-150.00', after: '-100.00', delta: '50.00' },
      { report: 'balances', partyId: 'nvidia', currency: 'USD', account: 'other_revenue', before: '350.00', after: '400.00', delta: '50.00' },
    ]);
    expect(step.facts[1].balances).toContainEqual({
      report: 'balances',
      partyId: 'nvidia',
      currency: 'USD',
      account: 'other_revenue',
      before: '425.00',
      after: '400.00',
      delta: '-25.00',
    });
    // together, as of day 9: pro_rata sends more of both investments home; fifo's totals do not move
    expect(step.roundTrips.map((c) => [c.report === 'round-trips' && c.policy, c.report === 'round-trips' && c.investmentId, c.before, c.after])).toEqual([
      ['pro_rata', 'amzn-oai', '300.00', '306.77'],
      ['pro_rata', 'nvda-oai', '187.50', '184.21'],
    ]);
  });

  it('restates each append apart when facts arrive in several appends', () => {
    const events = exampleEvents().map((e) => ({ ...e, recordedAt: `2026-01-01T00:00:${String(e.position).padStart(2, '0')}.000Z` }));
    const apart = feed(events).restatements;
    expect(apart.map((r) => r.facts.map((f) => f.position))).toEqual([[20], [22]]);
    expect(apart[0].roundTrips).toEqual(
      expect.arrayContaining([expect.objectContaining({ policy: 'pro_rata', investmentId: 'nvda-oai', before: '175.00', after: '184.21' })]),
    );
    expect(apart[1].roundTrips).toEqual([expect.objectContaining({ policy: 'pro_rata', investmentId: 'nvda-oai', before: '197.37', after: '184.21' })]);
  });
});
