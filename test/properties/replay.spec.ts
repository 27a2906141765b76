import fc from 'fast-check';
import {
  appliesTo,
  businessOrder,
  computeLedgerView,
  LiveLedger,
  POLICIES,
  Restatement,
  ViewEvent,
  viewFrameOf,
} from '@capflow/projections';
import {
  byEventKey,
  describeEvent,
  expectSameReports,
  reversalTargetOf,
  runs,
  Scenario,
  scenarioOf,
  scenarios,
} from '../support/scenarios';

const RUNS = 100;
/** 6b is beyond the brief: fewer runs, to keep the suite short. */
const EXTRA_RUNS = 50;
const SIZE = { min: 200, max: 400 };

/**
 * Applies one event and closes its step: every event of these scenarios has a recordedAt of its
 * own, so each is an append of its own, and its figures are complete once its step is closed.
 */
function applyAlone(ledger: LiveLedger, viewEvent: ViewEvent, target: ViewEvent | undefined, restatements: Restatement[]): void {
  for (const restatement of [ledger.apply(viewEvent, target), ledger.close()]) if (restatement) restatements.push(restatement);
}

/**
 * Feeds the events in position order, as the projector does (a reversal with its target), and
 * calls `after` once each has been applied.
 */
function feed(events: readonly ViewEvent[], after: (ledger: LiveLedger, viewEvent: ViewEvent) => void = () => undefined) {
  const ledger = new LiveLedger();
  const index = byEventKey(events);
  const restatements: Restatement[] = [];
  for (const viewEvent of [...events].sort((a, b) => a.position - b.position)) {
    applyAlone(ledger, viewEvent, reversalTargetOf(viewEvent.event, index), restatements);
    after(ledger, viewEvent);
  }
  return { ledger, restatements };
}

/**
 * A projector restarted after position p: a live ledger warmed up with the events known at p (one
 * pass in business order, reversed facts and reversals left out, the frontier set to the latest
 * business time among them), as libs/read-models does, then fed the rest in position order.
 */
function restartedAt(events: readonly ViewEvent[], p: number) {
  const known = events.filter((e) => e.position <= p);
  const frame = viewFrameOf(
    known.filter((e) => e.event.type === 'PartyRegistered' || e.event.type === 'EventReversed'),
    p,
  );
  const ledger = new LiveLedger(frame.groups);
  const inBusinessOrder = [...known].sort(businessOrder);
  for (const viewEvent of inBusinessOrder) if (appliesTo(viewEvent, frame, {})) ledger.warm(viewEvent);
  const latest = inBusinessOrder[inBusinessOrder.length - 1];
  if (latest) ledger.setFrontier(latest.occurredKey, latest.event.occurredAt);
  const index = byEventKey(events);
  const restatements: Restatement[] = [];
  for (const viewEvent of events.filter((e) => e.position > p).sort((a, b) => a.position - b.position)) {
    applyAlone(ledger, viewEvent, reversalTargetOf(viewEvent.event, index), restatements);
  }
  return { ledger, restatements };
}

/**
 * Found by property 6b (fast-check shrank it to 11 events; this is the same situation by hand):
 * an investment committed late in business time (inv-a, recorded after inv-b but dated before it),
 * then, after a restart, a reversal whose restatement changes figures of both investments.
 */
function lateCommitmentThenRestatement(): Scenario {
  const id = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  const usd = (amount: string) => ({ amount, currency: 'USD' });
  const event = (n: number, type: string, occurredAt: string, data: Record<string, unknown>) => ({
    eventId: id(n),
    type,
    occurredAt,
    source: 'regression',
    data,
  });
  return scenarioOf('regression: restatement changes in registration order', [
    event(1, 'PartyRegistered', '2025-01-01T00:00:00Z', { partyId: 'amazon', name: 'Amazon', kind: 'investor' }),
    event(2, 'PartyRegistered', '2025-01-01T00:00:00Z', { partyId: 'openai', name: 'OpenAI', kind: 'ai_lab' }),
    event(3, 'InvestmentCommitted', '2025-01-02T00:00:00Z', {
      investmentId: 'inv-b',
      investorId: 'amazon',
      investeeId: 'openai',
      amount: usd('10.00'),
      instrument: 'equity',
    }),
    event(4, 'InvestmentCommitted', '2025-01-01T00:00:00Z', {
      investmentId: 'inv-a',
      investorId: 'amazon',
      investeeId: 'openai',
      amount: usd('10.00'),
      instrument: 'equity',
    }),
    event(5, 'InvestmentFunded', '2025-01-03T00:00:00Z', { investmentId: 'inv-b', trancheId: 't1', amount: usd('10.00') }),
    event(6, 'InvestmentFunded', '2025-01-03T00:00:00Z', { investmentId: 'inv-a', trancheId: 't1', amount: usd('10.00') }),
    event(7, 'PaymentMade', '2025-01-04T00:00:00Z', {
      paymentId: 'pay1',
      payerId: 'openai',
      payeeId: 'amazon',
      amount: usd('0.01'),
      purpose: 'compute',
    }),
    event(8, 'EventReversed', '2025-01-05T00:00:00Z', { reversedEventId: id(5), reason: 'booked twice' }),
  ]);
}

describe('property: the live ledger (facts in the order they were recorded, late facts and reversals restating)', () => {
  it('6. replaying in position order ends with the reports of one pass in business order, agrees with the known-at view on the way, and two replays give identical restatements', () => {
    fc.assert(
      fc.property(scenarios(SIZE), fc.array(fc.nat(), { minLength: 2, maxLength: 2 }), (scenario, picks) => {
        const events = scenario.events;
        const checkpoints = new Set(picks.map((pick) => 1 + (pick % events.length)));
        const first = feed(events, (ledger, viewEvent) => {
          // on the way: the double entry holds after every arrival, reversals included
          if (!ledger.view.balances.trialBalanceHolds())
            throw new Error(`live ledger: the trial balance no longer holds after ${describeEvent(viewEvent)}`);
          // and conservation under both policies
          for (const policy of POLICIES) {
            const tracer = ledger.view.tracers[policy];
            const holdings = tracer.holdings();
            for (const [investmentId, funded] of ledger.view.investmentFlows.fundedCash) {
              let held = 0n;
              for (const amount of holdings.get(investmentId)?.values() ?? []) held += amount;
              const { cash, capital } = tracer.returned(investmentId);
              if (held + cash + capital !== funded) {
                throw new Error(
                  `live ledger, ${policy}: after ${describeEvent(viewEvent)}, investment ${investmentId}: held ${held} + returned ${cash} + ${capital} ≠ funded ${funded}`,
                );
              }
            }
          }
          if (checkpoints.has(viewEvent.position)) {
            expectSameReports(
              ledger.view,
              computeLedgerView(events, { knownAtPosition: viewEvent.position }),
              `live ledger after position ${viewEvent.position} vs computeLedgerView(events, { knownAtPosition: ${viewEvent.position} })`,
            );
          }
        });
        expectSameReports(
          first.ledger.view,
          computeLedgerView(events),
          'live ledger after every event (position order) vs computeLedgerView (one pass in business order)',
        );
        const second = feed(events);
        try {
          expect(second.restatements).toEqual(first.restatements);
        } catch (error) {
          throw new Error(
            `two replays of the same events gave different restatements (the projector's digest rests on them)\n${(error as Error).message}`,
          );
        }
        expectSameReports(second.ledger.view, first.ledger.view, 'a second replay vs the first');
      }),
      runs(RUNS),
    );
  });

  it('6b. (beyond the brief) a live ledger restarted at any position (warmed up in business order) ends the same and restates the same as one never stopped', () => {
    fc.assert(
      fc.property(scenarios(SIZE), fc.nat(), (scenario, pick) => {
        const events = scenario.events;
        const p = pick % (events.length + 1);
        const uninterrupted = feed(events);
        const restarted = restartedAt(events, p);
        expectSameReports(restarted.ledger.view, uninterrupted.ledger.view, `live ledger restarted after position ${p} vs never stopped`);
        try {
          expect(restarted.restatements).toEqual(uninterrupted.restatements.filter((r) => r.position > p));
        } catch (error) {
          throw new Error(
            `restarted after position ${p}, the live ledger restated differently from one never stopped (the projector's restatement digest would differ)\n${(error as Error).message}`,
          );
        }
      }),
      // restart after position 4 (pick 4 of 9 positions)
      { ...runs(EXTRA_RUNS), examples: [[lateCommitmentThenRestatement(), 4]] },
    );
  });
});
