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

  it('restates for the late day-3 payment and for the reversal, naming the figures they changed', () => {
    expect(restatements.map((r) => [r.position, r.kind, r.restatedFrom, r.frontier])).toEqual([
      [20, 'late', '2025-11-03T09:00:00Z', '2025-11-08T09:00:00Z'],
      [22, 'reversal', '2025-11-09T09:00:00Z', '2025-11-09T09:00:00Z'],
    ]);
    // its own postings, and, under pro_rata, the shares of later outflows; under fifo the same
    // totals came home by day 8 (the 50 left OpenAI untraced, and Amazon's money went later instead)
    expect(restatements[0].changes).toEqual([
      { report: 'balances', partyId: 'openai', currency: 'USD', account: 'other_expense', before: '0.00', after: '50.00', delta: '50.00' },
      { report: 'balances', partyId: 'openai', currency: 'USD', account: 'cash', before: '300.00', after: '250.00', delta: '-50.00' },
      { report: 'balances', partyId: 'nvidia', currency: 'USD', account: 'cash', before: '-150.00', after: '-100.00', delta: '50.00' },
      { report: 'balances', partyId: 'nvidia', currency: 'USD', account: 'other_revenue', before: '350.00', after: '400.00', delta: '50.00' },
      { report: 'round-trips', policy: 'pro_rata', investmentId: 'amzn-oai', currency: 'USD', field: 'returnedCash', before: '300.00', after: '306.77', delta: '6.77' },
      { report: 'round-trips', policy: 'pro_rata', investmentId: 'nvda-oai', currency: 'USD', field: 'returnedCash', before: '175.00', after: '184.21', delta: '9.21' },
    ]);
    const reversal = restatements[1];
    expect(reversal).toMatchObject({ reversedEventId: '00000000-0000-4000-8000-000000000015' });
    expect(reversal.changes).toContainEqual({
      report: 'balances',
      partyId: 'nvidia',
      currency: 'USD',
      account: 'other_revenue',
      before: '425.00',
      after: '400.00',
      delta: '-25.00',
    });
  });
});
