import fc from 'fast-check';
import { EVENT_TYPES } from '@capflow/contracts';
import { computeLedgerView, POLICIES } from '@capflow/projections';
import { benchScenario, ownScenario, Scenario } from '../support/scenarios';

/**
 * The properties are only as good as the scenarios: this checks that the producers cover what the
 * contract allows (every event type, parent/child groups, late facts, ties of business time,
 * reversals of every reversible type, several currencies, opening balances, credit settlements,
 * round trips under both policies), so that a producer that quietly stopped emitting something
 * fails here rather than making the properties vacuous.
 */
interface Features {
  types: Set<string>;
  reversedTypes: Set<string>;
  currencies: Set<string>;
  childParties: number;
  grandchildParties: number;
  late: number;
  ties: number;
  creditSettlements: number;
  linkedGrants: number;
  offsets: number;
  roundTrips: Record<string, number>;
  capitalRoundTrips: number;
  untracedOutflows: boolean;
  /** Reversals whose own business time precedes their target's. */
  reversalsBeforeTarget: number;
  /** Facts whose business time precedes the registration of a party they name. */
  beforeRegistration: number;
}

function featuresOf(scenario: Scenario): Features {
  const events = scenario.events;
  const byKey = new Map(events.map((e) => [e.event.eventId.toLowerCase(), e]));
  const parents = new Map<string, string | undefined>();
  const features: Features = {
    types: new Set(),
    reversedTypes: new Set(),
    currencies: new Set(),
    childParties: 0,
    grandchildParties: 0,
    late: 0,
    ties: 0,
    creditSettlements: 0,
    linkedGrants: 0,
    offsets: 0,
    roundTrips: { fifo: 0, pro_rata: 0 },
    capitalRoundTrips: 0,
    untracedOutflows: false,
    reversalsBeforeTarget: 0,
    beforeRegistration: 0,
  };
  const registeredAt = new Map<string, string>();
  let latest = '';
  const keys = new Set<string>();
  for (const { event, occurredKey } of events) {
    features.types.add(event.type);
    if (occurredKey < latest) features.late += 1;
    if (keys.has(occurredKey)) features.ties += 1;
    keys.add(occurredKey);
    if (occurredKey > latest) latest = occurredKey;
    if (!event.occurredAt.endsWith('Z')) features.offsets += 1;
    const amount = (event.data as { amount?: { currency: string } }).amount;
    if (amount) features.currencies.add(amount.currency);
    if (event.type === 'PartyRegistered') {
      registeredAt.set(event.data.partyId, occurredKey);
      parents.set(event.data.partyId, event.data.parentId);
      if (event.data.parentId !== undefined) {
        features.childParties += 1;
        if (parents.get(event.data.parentId) !== undefined) features.grandchildParties += 1;
      }
    }
    if (event.type === 'InvoiceSettled' && event.data.method === 'credits') features.creditSettlements += 1;
    if (event.type === 'ComputeCreditsGranted' && event.data.investmentId !== undefined) features.linkedGrants += 1;
    if (event.type === 'EventReversed') {
      const target = byKey.get(event.data.reversedEventId.toLowerCase())!;
      features.reversedTypes.add(target.event.type);
      if (occurredKey < target.occurredKey) features.reversalsBeforeTarget += 1;
    }
    const named = ['partyId', 'payerId', 'payeeId', 'investorId', 'investeeId', 'providerId', 'recipientId', 'customerId']
      .filter((field) => event.type !== 'PartyRegistered' && field in event.data)
      .map((field) => (event.data as unknown as Record<string, string>)[field]);
    if (named.some((party) => occurredKey < registeredAt.get(party)!)) features.beforeRegistration += 1;
  }
  const view = computeLedgerView(events);
  for (const policy of POLICIES) {
    for (const row of view.roundTripsReport(policy, null).investments) {
      if (Number(row.returnedCash) > 0) features.roundTrips[policy] += 1;
      if (Number(row.returnedCapital) > 0) features.capitalRoundTrips += 1;
    }
  }
  features.untracedOutflows = view
    .balancesReport(null)
    .parties.some((p) => Object.values(p.balances).some((b) => (b.cash ?? '').startsWith('-')));
  return features;
}

describe('the scenarios the properties run on', () => {
  it('cover every event type and the situations the contract allows, in most scenarios of our own producer', () => {
    const sample = fc.sample(ownScenario({ min: 150, max: 300 }), { numRuns: 40, seed: 7 }).map(featuresOf);
    const share = (test: (f: Features) => boolean) => sample.filter(test).length / sample.length;
    const expectations: [string, number, number][] = [
      ['every event type', share((f) => EVENT_TYPES.every((t) => f.types.has(t))), 0.9],
      ['reversals of at least three reversible types', share((f) => f.reversedTypes.size >= 3), 0.9],
      ['three currencies or more', share((f) => f.currencies.size >= 3), 0.95],
      ['child parties', share((f) => f.childParties > 0), 0.95],
      ['grandchild parties (a parentId chain)', share((f) => f.grandchildParties > 0), 0.5],
      ['late facts (business time earlier than one before)', share((f) => f.late >= 10), 0.95],
      ['ties of business time', share((f) => f.ties >= 10), 0.95],
      ['occurredAt with an offset', share((f) => f.offsets > 0), 0.95],
      ['credit settlements', share((f) => f.creditSettlements > 0), 0.9],
      ['credits granted with an investment', share((f) => f.linkedGrants > 0), 0.9],
      ['cash round trips under fifo', share((f) => f.roundTrips.fifo > 0), 0.7],
      ['cash round trips under pro_rata', share((f) => f.roundTrips.pro_rata > 0), 0.7],
      ['capital round trips', share((f) => f.capitalRoundTrips > 0), 0.2],
      ['negative cash (untraced outflows)', share((f) => f.untracedOutflows), 0.9],
      ['reversals stamped before their target', share((f) => f.reversalsBeforeTarget > 0), 0.3],
      ['facts stamped before a party they name was registered', share((f) => f.beforeRegistration > 0), 0.5],
    ];
    const lacking = expectations
      .filter(([, got, want]) => got < want)
      .map(([what, got, want]) => `${what}: ${got} of scenarios, want ≥ ${want}`);
    expect(lacking).toEqual([]);
  });

  it('from the benchmark generator are accepted too, with its mix of types', () => {
    const sample = fc.sample(benchScenario({ min: 150, max: 300 }), { numRuns: 10, seed: 7 }).map(featuresOf);
    expect(sample.every((f) => f.types.has('InvoiceSettled') && f.types.has('PartyRegistered') && f.childParties > 0)).toBe(true);
  });
});
