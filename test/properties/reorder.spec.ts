import fc from 'fast-check';
import { CapflowEvent, eventKey } from '@capflow/contracts';
import { computeLedgerView, LiveLedger, ViewEvent } from '@capflow/projections';
import { byEventKey, expectSameReports, prng, refusalIn, reversalTargetOf, runs, scenarios } from '../support/scenarios';

const RUNS = 100;
const SIZE = { min: 200, max: 400 };

/** The parties an event names. */
function partiesOf(event: CapflowEvent): string[] {
  switch (event.type) {
    case 'PartyRegistered':
      return event.data.parentId === undefined ? [] : [event.data.parentId];
    case 'OpeningBalanceRecorded':
      return [event.data.partyId];
    case 'InvestmentCommitted':
      return [event.data.investorId, event.data.investeeId];
    case 'ComputeCreditsGranted':
      return [event.data.providerId, event.data.recipientId];
    case 'ComputeCommitmentSigned':
      return [event.data.customerId, event.data.providerId];
    case 'UsageBilled':
      return [event.data.providerId, event.data.customerId];
    case 'PaymentMade':
      return [event.data.payerId, event.data.payeeId];
    default:
      return [];
  }
}

/** Entities an event refers to (`kind id`), and the entity it creates. */
function entitiesOf(event: CapflowEvent): { refers: string[]; creates: string | null } {
  switch (event.type) {
    case 'PartyRegistered':
      return { refers: [], creates: `party ${event.data.partyId}` };
    case 'InvestmentCommitted':
      return { refers: [], creates: `investment ${event.data.investmentId}` };
    case 'InvestmentFunded':
      return { refers: [`investment ${event.data.investmentId}`], creates: null };
    case 'ComputeCreditsGranted':
      return {
        refers: event.data.investmentId === undefined ? [] : [`investment ${event.data.investmentId}`],
        creates: `grant ${event.data.grantId}`,
      };
    case 'ComputeCommitmentSigned':
      return { refers: [], creates: `commitment ${event.data.commitmentId}` };
    case 'UsageBilled':
      return {
        refers: event.data.commitmentId === undefined ? [] : [`commitment ${event.data.commitmentId}`],
        creates: `invoice ${event.data.invoiceId}`,
      };
    case 'InvoiceSettled':
      return {
        refers: [`invoice ${event.data.invoiceId}`, ...(event.data.grantId === undefined ? [] : [`grant ${event.data.grantId}`])],
        creates: null,
      };
    case 'CreditsExpired':
      return { refers: [`grant ${event.data.grantId}`], creates: null };
    default:
      return { refers: [], creates: null };
  }
}

/** The limits an event uses up (EVENTS.md: funded ≤ committed, settled ≤ billed, grant remaining). */
function consumes(event: CapflowEvent): string[] {
  switch (event.type) {
    case 'InvestmentFunded':
      return [`investment ${event.data.investmentId}`];
    case 'ComputeCreditsGranted':
      return event.data.investmentId === undefined ? [] : [`investment ${event.data.investmentId}`];
    case 'InvoiceSettled':
      return [`invoice ${event.data.invoiceId}`, ...(event.data.grantId === undefined ? [] : [`grant ${event.data.grantId}`])];
    case 'CreditsExpired':
      return [`grant ${event.data.grantId}`];
    default:
      return [];
  }
}

/**
 * A random file order in which every event comes after what it refers to: a party's registration
 * before anything naming the party (or a child of it), an entity's creating event before the
 * events referring to it, a reversal after its target. Two more constraints:
 * - events with the same business time keep their relative order: ties of business time are
 *   broken by position, so swapping them could legitimately change fifo figures;
 * - an event that uses up a limit stays after the reversals, earlier in the file, that gave back
 *   room under that limit (else the reordered file could break a limit and be refused).
 * The reordered file is checked against the ledger's rules before it is used.
 */
function reorder(events: readonly ViewEvent[], seed: number): ViewEvent[] {
  const random = prng(seed);
  const ordered = [...events].sort((a, b) => a.position - b.position);
  const index = byEventKey(ordered);
  const creator = new Map<string, number>();
  const lastAtKey = new Map<string, number>();
  /** limit → reversals so far that gave back room under it. */
  const freed = new Map<string, number[]>();
  const before: number[][] = ordered.map(() => []);
  ordered.forEach((viewEvent, i) => {
    const { event } = viewEvent;
    const { refers, creates } = entitiesOf(event);
    for (const party of partiesOf(event)) before[i].push(creator.get(`party ${party}`)!);
    for (const entity of refers) before[i].push(creator.get(entity)!);
    for (const limit of consumes(event)) before[i].push(...(freed.get(limit) ?? []));
    if (event.type === 'EventReversed') {
      const target = reversalTargetOf(event, index)!;
      before[i].push(target.position - 1);
      for (const limit of consumes(target.event)) freed.set(limit, [...(freed.get(limit) ?? []), i]);
    }
    const tie = lastAtKey.get(viewEvent.occurredKey);
    if (tie !== undefined) before[i].push(tie);
    lastAtKey.set(viewEvent.occurredKey, i);
    if (creates) creator.set(creates, i);
  });
  if (before.some((deps) => deps.some((d) => d === undefined)))
    throw new Error('reorder: an event refers to something not created before it');
  const waiting = before.map((deps) => new Set(deps).size);
  const unblocks: number[][] = ordered.map(() => []);
  before.forEach((deps, i) => new Set(deps).forEach((d) => unblocks[d].push(i)));
  const ready = waiting.flatMap((count, i) => (count === 0 ? [i] : []));
  const result: ViewEvent[] = [];
  while (ready.length > 0) {
    const at = Math.floor(random(ready.length));
    const i = ready[at];
    ready[at] = ready[ready.length - 1];
    ready.pop();
    const source = ordered[i];
    const position = result.length + 1;
    result.push({ ...source, position, recordedAt: new Date(Date.UTC(2030, 0, 1) + position * 1000).toISOString() });
    for (const next of unblocks[i]) if (--waiting[next] === 0) ready.push(next);
  }
  if (result.length !== ordered.length) throw new Error('reorder: the references form a cycle');
  return result;
}

describe('property: the file order does not matter beyond what the contract orders', () => {
  it('7. another file order that respects references (and keeps ties of business time in order) gives the same reports', () => {
    fc.assert(
      fc.property(scenarios(SIZE), fc.nat(), (scenario, seed) => {
        const reordered = reorder(scenario.events, seed);
        const refusal = refusalIn(reordered);
        if (refusal) throw new Error(`the reordered file is not one the ledger accepts (a bug of this test's reordering): ${refusal}`);
        const moved = reordered.filter((e, i) => eventKey(e.event.eventId) !== eventKey(scenario.events[i].event.eventId)).length;
        const original = computeLedgerView(scenario.events);
        expectSameReports(
          computeLedgerView(reordered),
          original,
          `file order changed for ${moved} of ${reordered.length} events (computeLedgerView of the new order vs of the original)`,
        );
        // and as the projector would see the new file: in position order, late facts restating
        const ledger = new LiveLedger();
        const index = byEventKey(reordered);
        for (const viewEvent of reordered) ledger.apply(viewEvent, reversalTargetOf(viewEvent.event, index));
        ledger.close();
        expectSameReports(
          ledger.view,
          original,
          `file order changed for ${moved} of ${reordered.length} events (live ledger of the new order vs computeLedgerView of the original)`,
        );
        // and imported in appends of several facts: a late fact and its reversal may share one
        const appended = new LiveLedger();
        const size = 2 + (seed % 7);
        for (const viewEvent of reordered)
          appended.apply({ ...viewEvent, recordedAt: `append-${Math.floor(viewEvent.position / size)}` }, reversalTargetOf(viewEvent.event, index));
        appended.close();
        expectSameReports(
          appended.view,
          original,
          `file order changed for ${moved} of ${reordered.length} events, appended ${size} at a time (live ledger vs computeLedgerView of the original)`,
        );
      }),
      runs(RUNS),
    );
  });
});
