import fc from 'fast-check';
import { eventKey, instantKey } from '@capflow/contracts';
import { formatAmount, parseAmount } from '@capflow/ledger';
import { computeLedgerView, LedgerView, POLICIES, Policy } from '@capflow/projections';
import { businessPass, describeEvent, runs, scenarios } from '../support/scenarios';
import { ReferencePools } from './reference-tracing';

type Holdings = Map<string, Map<string, bigint>>;

const RUNS = 100;
/** The properties beyond the brief get fewer runs, to keep the suite short. */
const EXTRA_RUNS = 60;
const SIZE = { min: 200, max: 400 };

/** A copy, so that a later apply cannot change what was read. */
function holdingsOf(view: LedgerView, policy: Policy): Holdings {
  return new Map([...view.tracers[policy].holdings()].map(([tag, parties]) => [tag, new Map(parties)]));
}

function sum(parties: Map<string, bigint> | undefined): bigint {
  let total = 0n;
  for (const amount of parties?.values() ?? []) total += amount;
  return total;
}

/** Holdings as sorted text, to compare and to print. */
function printed(holdings: Holdings): string[] {
  return [...holdings]
    .flatMap(([tag, parties]) =>
      [...parties].filter(([, amount]) => amount !== 0n).map(([party, amount]) => `${tag} @ ${party}: ${amount}`),
    )
    .sort();
}

describe('property: round-trip tracing (TRACING.md)', () => {
  it('2. conservation under both policies after every event: tagged money in all pools + returnedCash + returnedCapital = fundedCash', () => {
    fc.assert(
      fc.property(scenarios(SIZE), (scenario) => {
        const { groups, applied } = businessPass(scenario.events);
        const view = new LedgerView(groups);
        for (const [index, viewEvent] of applied.entries()) {
          view.apply(viewEvent);
          for (const policy of POLICIES) {
            const tracer = view.tracers[policy];
            const holdings = tracer.holdings();
            const investments = new Set([...view.investmentFlows.fundedCash.keys(), ...holdings.keys()]);
            for (const investmentId of investments) {
              const held = sum(holdings.get(investmentId));
              const { cash, capital } = tracer.returned(investmentId);
              const funded = view.investmentFlows.fundedCash.get(investmentId) ?? 0n;
              if (held + cash + capital !== funded) {
                throw new Error(
                  `${policy}: after event ${index + 1} in business order (${describeEvent(viewEvent)}), investment ${investmentId}: ` +
                    `held ${held} + returnedCash ${cash} + returnedCapital ${capital} = ${held + cash + capital}, but fundedCash is ${funded} (minor units)`,
                );
              }
            }
          }
        }
      }),
      runs(RUNS),
    );
  });

  it("3. no holding is ever zero or negative, or above its pool's total; an outflow takes from each tag at most what it holds (pro_rata: exactly the haircut)", () => {
    fc.assert(
      fc.property(scenarios(SIZE), (scenario) => {
        const { groups, applied } = businessPass(scenario.events);
        const view = new LedgerView(groups);
        // The pools' totals T are not exposed by the tracers: a reading of TRACING.md computes them
        // (T is policy-independent: a fifo queue holds T in its lots, pro_rata keeps it).
        const reference = new ReferencePools(scenario.events);
        for (const [index, viewEvent] of applied.entries()) {
          const where = `after event ${index + 1} in business order (${describeEvent(viewEvent)})`;
          const before = { fifo: holdingsOf(view, 'fifo'), pro_rata: holdingsOf(view, 'pro_rata') };
          const returnedBefore = (policy: Policy, tag: string) => view.tracers[policy].returned(tag);
          const returnedEarlier = new Map<string, bigint>();
          for (const policy of POLICIES) {
            for (const tag of new Set([...before[policy].keys(), ...view.investmentFlows.fundedCash.keys()])) {
              const r = returnedBefore(policy, tag);
              returnedEarlier.set(`${policy} ${tag}`, r.cash + r.capital);
            }
          }
          const move = reference.apply(viewEvent.event);
          view.apply(viewEvent);
          for (const policy of POLICIES) {
            const after = holdingsOf(view, policy);
            for (const [tag, parties] of after) {
              const currency = reference.currencyOf(tag);
              for (const [party, amount] of parties) {
                if (amount <= 0n) throw new Error(`${policy}: ${where}, ${party} holds ${amount} of ${tag}: a holding must be > 0`);
                const total = reference.total(party, currency);
                if (amount > total) {
                  throw new Error(
                    `${policy}: ${where}, ${party} holds ${amount} of ${tag}, more than its ${currency} pool's total ${total}`,
                  );
                }
              }
            }
            const tags = new Set([...before[policy].keys(), ...after.keys()]);
            if (!move || move.kind === 'opening') {
              const changed = printed(after).join('\n') !== printed(before[policy]).join('\n');
              if (changed) throw new Error(`${policy}: ${where}: a fact that moves no tagged money changed the holdings`);
              continue;
            }
            for (const tag of tags) {
              const was = before[policy].get(tag) ?? new Map<string, bigint>();
              const now = after.get(tag) ?? new Map<string, bigint>();
              const held = was.get(move.from) ?? 0n;
              const taken = held - (now.get(move.from) ?? 0n);
              if (taken < 0n || taken > held || taken > move.amount) {
                throw new Error(
                  `${policy}: ${where}, tag ${tag}: the outflow of ${move.amount} from ${move.from} took ${taken} of the ${held} it held`,
                );
              }
              if (policy === 'pro_rata' && taken !== (move.takes.get(tag) ?? 0n)) {
                throw new Error(
                  `pro_rata: ${where}, tag ${tag}: the outflow of ${move.amount} from ${move.from} (pool total ${move.totalBefore}, tag held ${held}) ` +
                    `took ${taken}, the haircut rule gives ${move.takes.get(tag) ?? 0n}`,
                );
              }
              const r = view.tracers[policy].returned(tag);
              const returned = r.cash + r.capital - (returnedEarlier.get(`${policy} ${tag}`) ?? 0n);
              const arrived = (now.get(move.to) ?? 0n) - (was.get(move.to) ?? 0n) + returned;
              const expected = taken + (tag === move.investmentId ? move.amount : 0n);
              if (arrived !== expected) {
                throw new Error(
                  `${policy}: ${where}, tag ${tag}: ${taken} left ${move.from} (+${tag === move.investmentId ? move.amount : 0n} newly tagged) but ${arrived} arrived at ${move.to} or came home`,
                );
              }
              for (const party of new Set([...was.keys(), ...now.keys()])) {
                if (party !== move.from && party !== move.to && (was.get(party) ?? 0n) !== (now.get(party) ?? 0n)) {
                  throw new Error(
                    `${policy}: ${where}, tag ${tag}: ${party}'s holding changed, though only ${move.from} → ${move.to} moved`,
                  );
                }
              }
            }
          }
        }
      }),
      runs(RUNS),
    );
  });

  it('8. (beyond the brief) holdings and returns under both policies match a direct reading of TRACING.md after every cash move', () => {
    fc.assert(
      fc.property(scenarios(SIZE), (scenario) => {
        const { groups, applied } = businessPass(scenario.events);
        const view = new LedgerView(groups);
        const reference = new ReferencePools(scenario.events);
        for (const [index, viewEvent] of applied.entries()) {
          const move = reference.apply(viewEvent.event);
          view.apply(viewEvent);
          if (!move && index !== applied.length - 1) continue;
          const where = `after event ${index + 1} in business order (${describeEvent(viewEvent)})`;
          for (const policy of POLICIES) {
            const got = printed(view.tracers[policy].holdings());
            const want = printed(reference.holdings(policy));
            try {
              expect(got).toEqual(want);
            } catch (error) {
              throw new Error(
                `${policy}: ${where}: holdings (tag @ party: amount) differ from TRACING.md's (expected)\n${(error as Error).message}`,
              );
            }
            for (const investmentId of reference.fundedCash.keys()) {
              const tracer = view.tracers[policy].returned(investmentId);
              const contract = reference.returned(policy, investmentId);
              if (tracer.cash !== contract.cash || tracer.capital !== contract.capital) {
                throw new Error(
                  `${policy}: ${where}, investment ${investmentId}: returned cash/capital ${tracer.cash}/${tracer.capital}, TRACING.md gives ${contract.cash}/${contract.capital}`,
                );
              }
            }
          }
        }
      }),
      runs(EXTRA_RUNS),
    );
  });

  it("9. (beyond the brief) an investment's trace log agrees with the tracers: where its money is now, what came home, its fundings, in business order", () => {
    fc.assert(
      fc.property(scenarios(SIZE), fc.nat(), (scenario, pick) => {
        const commitments = scenario.events.flatMap((e) => (e.event.type === 'InvestmentCommitted' ? [e.event.data] : []));
        if (commitments.length === 0) return;
        const investment = commitments[pick % commitments.length];
        const id = investment.investmentId;
        const currency = investment.amount.currency;
        const view = computeLedgerView(scenario.events, {}, { traceInvestment: id });
        const trace = view.traceReport(null);
        if (!trace) throw new Error(`no trace report for investment ${id}, though it is committed`);
        const reversed = new Set(
          scenario.events.flatMap((e) => (e.event.type === 'EventReversed' ? [eventKey(e.event.data.reversedEventId)] : [])),
        );
        for (const policy of POLICIES) {
          const holdings = [...(view.tracers[policy].holdings().get(id) ?? new Map<string, bigint>())]
            .filter(([, amount]) => amount !== 0n)
            .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
            .map(([partyId, amount]) => ({ partyId, amount: formatAmount(amount, currency) }));
          try {
            expect(trace.holdings[policy]).toEqual(holdings);
          } catch (error) {
            throw new Error(
              `${policy}: the trace log of ${id} says its money is elsewhere than the tracer's holdings (expected)\n${(error as Error).message}`,
            );
          }
          const home = trace.flows
            .filter((flow) => flow.returned[policy])
            .reduce((total, flow) => total + parseAmount(flow.amount[policy], currency), 0n);
          const { cash, capital } = view.tracers[policy].returned(id);
          if (home !== cash + capital) {
            throw new Error(
              `${policy}: the flows of ${id}'s trace log that brought money home sum to ${home}, the tracer says ${cash} + ${capital} came home`,
            );
          }
        }
        for (const funding of scenario.events) {
          if (
            funding.event.type !== 'InvestmentFunded' ||
            funding.event.data.investmentId !== id ||
            reversed.has(eventKey(funding.event.eventId))
          )
            continue;
          const flow = trace.flows.find((f) => f.position === funding.position);
          if (!flow || flow.amount.fifo !== funding.event.data.amount.amount || flow.amount.pro_rata !== funding.event.data.amount.amount) {
            throw new Error(
              `the trace log of ${id} does not show its funding at position ${funding.position} (${funding.event.data.amount.amount}) under both policies: ${JSON.stringify(flow)}`,
            );
          }
        }
        const order = trace.flows.map((flow) => [instantKey(flow.occurredAt), flow.position] as const);
        for (let i = 1; i < order.length; i++) {
          const [key, position] = order[i];
          const [previousKey, previousPosition] = order[i - 1];
          if (key < previousKey || (key === previousKey && position < previousPosition)) {
            throw new Error(
              `the trace log of ${id} is not in business order at flows ${i} and ${i + 1}: ${JSON.stringify(trace.flows.slice(i - 1, i + 1))}`,
            );
          }
        }
      }),
      runs(EXTRA_RUNS),
    );
  });
});
