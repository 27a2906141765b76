/**
 * Rule-following scenarios for property tests of the projections.
 *
 * A scenario is a list of accepted envelopes in file order, and the ViewEvents the projections
 * read (positions 1..n in that order). Two producers:
 *
 * - `ownScenario`: fast-check draws a list of steps (a kind and a few random numbers each); an
 *   interpreter turns each step into one event that follows every business rule of EVENTS.md
 *   against the events before it, keeping its own account of parties, groups, investments,
 *   grants, commitments and invoices. Any list of steps gives a valid scenario, so fast-check can
 *   shrink a failing one to a short, still valid, event file. Small party counts and amounts of
 *   every size make the pools interact: money runs out (untraced), comes home (round trips),
 *   lands on ties of business time, arrives late, is reversed.
 * - `benchScenario`: the import benchmark's generator (test/bench/import), seeded by fast-check:
 *   an independent producer with a realistic mix.
 *
 * Every envelope is checked before a property sees it: `parseEvent` must accept it and the
 * ledger's deciders (`decide`, in file order) must accept it. A producer that emits something the
 * ledger refuses fails loudly here, not as a puzzling projection difference.
 */
import fc from 'fast-check';
import { CapflowEvent, CurrencyCode, eventKey, instantKey, parseEvent } from '@capflow/contracts';
import { AcceptedEvent, decide, evolve, LedgerState } from '@capflow/ledger';
import { dealLinksReport } from '@capflow/projections';
import type { LedgerView, ViewEvent } from '@capflow/projections';
import { EventEnvelope, generateEvents } from '../bench/import/generate-events';

export interface Scenario {
  /** Which producer made it, and with what. */
  origin: string;
  envelopes: EventEnvelope[];
  /** Positions 1..n in file order. */
  events: ViewEvent[];
}

// ---------------------------------------------------------------------------------------------
// From envelopes to view events

const RECORDED_BASE = Date.UTC(2030, 0, 1);

/** Parses and decides every envelope in file order; throws on the first one the ledger refuses. */
export function toViewEvents(envelopes: readonly EventEnvelope[]): ViewEvent[] {
  const events = envelopes.map((envelope, index) => {
    const line = JSON.stringify(envelope);
    const parsed = parseEvent(line);
    if (!parsed.ok) {
      throw new Error(
        `scenario line ${index + 1} is refused by parseEvent (${parsed.rejection.reason}: ${parsed.rejection.detail}): ${line}`,
      );
    }
    const position = index + 1;
    const event = parsed.event;
    return {
      event,
      position,
      occurredKey: instantKey(event.occurredAt),
      recordedAt: new Date(RECORDED_BASE + position * 1000).toISOString(),
    };
  });
  const refusal = refusalIn(events);
  if (refusal) throw new Error(`scenario ${refusal}`);
  return events;
}

/** Decides every event in position order with the ledger's rules; the first refusal, or null. */
export function refusalIn(events: readonly ViewEvent[]): string | null {
  const state = new LedgerState();
  const accepted = new Map<string, AcceptedEvent>();
  for (const { event, position } of [...events].sort((a, b) => a.position - b.position)) {
    const decision = decide(state, event, { occurredAt: instantKey(event.occurredAt), findAccepted: (key) => accepted.get(key) });
    if (!decision.accepted) {
      return `line ${position} is refused by the ledger (${decision.rejection.reason}: ${decision.rejection.detail}): ${JSON.stringify(event)}`;
    }
    const target = event.type === 'EventReversed' ? accepted.get(eventKey(event.data.reversedEventId))!.event : undefined;
    evolve(state, event, target);
    accepted.set(eventKey(event.eventId), { event, streamId: decision.streamId });
  }
  return null;
}

/** A scenario from a given event file (checked like the generated ones), e.g. a regression example. */
export function scenarioOf(origin: string, envelopes: EventEnvelope[]): Scenario {
  const scenario: Scenario = { origin, envelopes, events: toViewEvents(envelopes) };
  // fast-check prints a counterexample with this: the event file itself, ready to import
  Object.defineProperty(scenario, fc.toStringMethod, {
    enumerable: false,
    value: () => `${origin}, ${envelopes.length} events:\n${envelopes.map((e) => JSON.stringify(e)).join('\n')}`,
  });
  return scenario;
}

// ---------------------------------------------------------------------------------------------
// The reports the properties compare

export function reportsOf(view: LedgerView) {
  return {
    balances: view.balancesReport(null),
    'round-trips fifo': view.roundTripsReport('fifo', null),
    'round-trips pro_rata': view.roundTripsReport('pro_rata', null),
    commitments: view.commitmentsReport(null),
    credits: view.creditsReport(null),
    flows: view.flowsReport(null),
    'circular-revenue fifo': view.circularRevenueReport('fifo', 'month', null),
    'circular-revenue pro_rata': view.circularRevenueReport('pro_rata', 'month', null),
    'deal-links': dealLinksReport(view.dealCandidates(), 90, null),
  };
}

/** Compares report by report, naming the first that differs and the situation. */
export function expectSameReports(actual: LedgerView, expected: LedgerView, situation: string): void {
  const got = reportsOf(actual);
  const want = reportsOf(expected);
  for (const name of Object.keys(want) as (keyof typeof want)[]) {
    try {
      expect(got[name]).toEqual(want[name]);
    } catch (error) {
      throw new Error(
        `${situation}: the ${name} report differs (received = the view under test, expected = the reference view)\n${(error as Error).message}`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Our own producer

const DIGITS = { USD: 2, EUR: 2, JPY: 0, KWD: 3 } as const;
type Currency = keyof typeof DIGITS;
export const SCENARIO_CURRENCIES = Object.keys(DIGITS) as Currency[];

function formatMinor(minor: bigint, currency: Currency): string {
  const digits = DIGITS[currency];
  if (digits === 0) return minor.toString();
  const text = minor.toString().padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

const money = (minor: bigint, currency: Currency) => ({ amount: formatMinor(minor, currency), currency: currency as CurrencyCode });

const START = Date.UTC(2025, 0, 1);
const OFFSETS = ['+05:30', '-08:00', '+01:00', '+09:00', '-03:30'];

/** An RFC 3339 text for the instant `ms`, in one of several equivalent spellings. */
function instantText(ms: number, style: number): string {
  const spell = (shiftMinutes: number, suffix: string, fraction: 'auto' | 'ms' | 'us') => {
    const iso = new Date(ms + shiftMinutes * 60000).toISOString();
    const frac = fraction === 'us' ? `${iso.slice(19, 23)}000` : fraction === 'ms' || ms % 1000 !== 0 ? iso.slice(19, 23) : '';
    return `${iso.slice(0, 19)}${frac}${suffix}`;
  };
  const s = style % 20;
  if (s < 12) return spell(0, 'Z', 'auto');
  if (s < 16) {
    const offset = OFFSETS[s % OFFSETS.length];
    const minutes = (offset[0] === '-' ? -1 : 1) * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
    return spell(minutes, offset, 'auto');
  }
  if (s < 18) return spell(0, 'Z', 'ms');
  if (s < 19) return spell(0, 'Z', 'us');
  return spell(0, 'z', 'auto').replace('T', 't');
}

interface PartyS {
  id: string;
  group: string;
  home: Currency;
  registeredAt: number;
}
interface InvestmentS {
  id: string;
  investor: PartyS;
  investee: PartyS;
  currency: Currency;
  committed: bigint;
  used: bigint;
  committedAt: number;
  tranches: number;
}
interface GrantS {
  id: string;
  provider: PartyS;
  recipient: PartyS;
  currency: Currency;
  granted: bigint;
  used: bigint;
  grantedAt: number;
}
interface CommitmentS {
  id: string;
  customer: PartyS;
  provider: PartyS;
  currency: Currency;
  signedAt: number;
}
interface InvoiceS {
  id: string;
  provider: PartyS;
  customer: PartyS;
  currency: Currency;
  billed: bigint;
  settled: bigint;
  billedAt: number;
  settlements: number;
}

/** One step: which kind of fact (0..99, weighted), when (0..99), and random numbers for the rest. */
export type Step = [kind: number, when: number, dt: number, a: number, b: number, c: number, d: number];

const stepArb: fc.Arbitrary<Step> = fc.tuple(fc.nat(99), fc.nat(99), fc.nat(), fc.nat(), fc.nat(), fc.nat(), fc.nat());

type Kind =
  'register' | 'opening' | 'commit' | 'fund' | 'linkedGrant' | 'grant' | 'commitment' | 'bill' | 'settle' | 'pay' | 'expire' | 'reverse';

/** Cumulative weights out of 100. */
const KIND_WEIGHTS: [Kind, number][] = [
  ['register', 4],
  ['opening', 5],
  ['commit', 4],
  ['fund', 11],
  ['linkedGrant', 4],
  ['grant', 4],
  ['commitment', 4],
  ['bill', 14],
  ['settle', 17],
  ['pay', 22],
  ['expire', 4],
  ['reverse', 7],
];

/**
 * Busy scenarios: four parties, mostly payments into a hub from the others (whose money carries
 * different tags), and now and then a large payment out of it. The hub's fifo queue then grows
 * long and is drained at once, which exercises the queue's compaction and, with late facts, the
 * live ledger winding the pools back across it.
 */
const BUSY_WEIGHTS: [Kind, number][] = [
  ['register', 1],
  ['opening', 1],
  ['commit', 6],
  ['fund', 20],
  ['linkedGrant', 1],
  ['grant', 1],
  ['commitment', 1],
  ['bill', 7],
  ['settle', 8],
  ['pay', 50],
  ['expire', 1],
  ['reverse', 3],
];
const BUSY_PARTIES = 4;

function kindOf(roll: number, weights: [Kind, number][]): Kind {
  let sum = 0;
  for (const [kind, weight] of weights) {
    sum += weight;
    if (roll < sum) return kind;
  }
  return 'pay';
}

export interface OwnScenarioOptions {
  /**
   * The contract only forbids an event to predate the entities it refers to (investment, invoice,
   * grant, commitment), not the parties it names. 'lax': a late fact may predate the registration
   * of a party it names (the view then knows the party's group from its registration, which is
   * permanent). 'strict': never.
   */
  partyTimes: 'strict' | 'lax';
  /** Four parties and mostly payments through a hub (see BUSY_WEIGHTS). */
  busy?: boolean;
}

/** Interprets steps as a rule-following event file (one event per step). */
export function eventsOfSteps(steps: readonly Step[], options: OwnScenarioOptions): EventEnvelope[] {
  const out: EventEnvelope[] = [];
  const parties: PartyS[] = [];
  const investments: InvestmentS[] = [];
  const grants: GrantS[] = [];
  const commitments: CommitmentS[] = [];
  const invoices: InvoiceS[] = [];
  const reversible: { eventId: string; type: string; undo: () => void }[] = [];
  let clock = START;
  let serial = 0;

  const pick = <T>(items: readonly T[], r: number): T => items[r % items.length];
  /** Mostly the party's home currency (busy scenarios: nearly always, so that pools grow long). */
  const currencyFor = (party: PartyS, r: number): Currency =>
    r % 10 < (options.busy ? 9 : 6) ? party.home : pick(SCENARIO_CURRENCIES, r >>> 4);
  /** Amounts of every size: a few minor units (rounding), hundreds, tens of thousands, rarely 10^18 and more. */
  const amountOf = (r: number): bigint => {
    const mode = r % 32;
    const rest = r >>> 5;
    if (mode < 3) return 1n + BigInt(rest % 9);
    if (mode < 20) return 1n + BigInt(rest % 2000);
    if (mode < 31) return 1n + BigInt(rest % 200000);
    return 10n ** 18n + BigInt(rest);
  };
  /** Up to `limit`: all of it, or a part. */
  const partOf = (limit: bigint, r: number): bigint => (r % 4 === 0 ? limit : 1n + (BigInt(r >>> 2) % limit));

  for (const [index, step] of steps.entries()) {
    const [roll, when, dt, a, b, c, d] = step;

    // -- business time: a tie with the previous event, a step forward, or a late fact
    const advance = () => {
      if (when < 22) return;
      const unit = dt % 3 === 0 ? 1000 : dt % 3 === 1 ? 60_000 : 3_600_000;
      clock += unit * (1 + ((dt >>> 2) % 90)) + (dt % 7 === 0 ? (dt >>> 3) % 1000 : 0);
    };
    /** When the fact occurred: now, or (about 1 in 7) earlier but not before `notBefore`. */
    const at = (notBefore: number): number => {
      if (when < 86) return clock;
      const span = clock - notBefore;
      if (span <= 0 || dt % 5 === 0) return Math.max(notBefore, START); // exactly as early as allowed: a tie with what it refers to
      return clock - 1 - (dt % span);
    };
    const refTime = (...times: number[]) => Math.max(START, ...times);
    const partyTime = (...ps: PartyS[]) => (options.partyTimes === 'strict' ? Math.max(START, ...ps.map((p) => p.registeredAt)) : START);

    const emit = (type: string, ms: number, data: Record<string, unknown>): EventEnvelope => {
      serial += 1;
      const hex = (n: number, width: number) => (n >>> 0).toString(16).padStart(width, '0').slice(-width);
      let eventId = `${hex(a ^ c, 8)}-${hex(b, 4)}-4${hex(d, 3)}-8${hex(c, 3)}-${hex(serial, 12)}`;
      if (d % 9 === 0) eventId = eventId.toUpperCase();
      const envelope: EventEnvelope = { eventId, type, occurredAt: instantText(ms, when + dt), source: `prop-${type.length % 3}`, data };
      if (d % 2 === 0) envelope.schemaVersion = 1;
      return envelope;
    };
    const remember = (envelope: EventEnvelope, undo: () => void) =>
      reversible.push({ eventId: envelope.eventId, type: envelope.type, undo });

    const distinctPair = (r1: number, r2: number): [PartyS, PartyS] | null => {
      if (parties.length < 2) return null;
      const x = pick(parties, r1);
      const others = parties.filter((p) => p !== x);
      return [x, pick(others, r2)];
    };
    /** Money going home: from an investee (or anyone) to its investor's group, the loops round trips measure. */
    const homewardPair = (r1: number, r2: number): [PartyS, PartyS] | null => {
      if (investments.length === 0) return null;
      const investment = pick(investments, r1);
      const from = (r1 >>> 8) % 3 === 0 ? pick(parties, r2 >>> 8) : investment.investee;
      const to = pick(
        parties.filter((p) => p.group === investment.investor.group && p !== from),
        r2,
      );
      return to ? [from, to] : null;
    };

    const make: Record<Kind, () => EventEnvelope | null> = {
      register: () => {
        const id = `p${parties.length}`;
        const parent = parties.length > 0 && a % 5 < (options.busy ? 1 : 2) ? pick(parties, b) : undefined;
        const party: PartyS = {
          id: parent ? `${parent.id}.c${parties.length}` : id,
          group: parent?.group ?? '',
          home: pick(SCENARIO_CURRENCIES, c % 7 < 4 || options.busy ? 0 : c),
          registeredAt: clock,
        };
        if (!parent) party.group = party.id;
        parties.push(party);
        const data: Record<string, unknown> = {
          partyId: party.id,
          name: `Party ${parties.length}`,
          kind: pick(['investor', 'ai_lab', 'cloud_provider', 'chipmaker', 'other'], d),
        };
        if (parent) data.parentId = parent.id;
        return emit('PartyRegistered', clock, data);
      },
      opening: () => {
        if (parties.length === 0) return null;
        const party = pick(parties, a);
        const envelope = emit('OpeningBalanceRecorded', at(partyTime(party)), {
          partyId: party.id,
          amount: money(amountOf(b) * 10n, currencyFor(party, c)),
        });
        remember(envelope, () => undefined);
        return envelope;
      },
      commit: () => {
        const investor = parties.length > 0 ? pick(parties, a) : undefined;
        const investees = parties.filter((p) => investor && p.group !== investor.group);
        if (!investor || investees.length === 0) return null;
        const investee = pick(investees, b);
        const currency = currencyFor(investor, c);
        const investment: InvestmentS = {
          id: `inv${investments.length}:${investor.id}_${investee.id}`,
          investor,
          investee,
          currency,
          committed: 1000n + BigInt(d % (options.busy ? 50_000 : 5_000_000)),
          used: 0n,
          committedAt: 0,
          tranches: 0,
        };
        investment.committedAt = at(partyTime(investor, investee));
        investments.push(investment);
        return emit('InvestmentCommitted', investment.committedAt, {
          investmentId: investment.id,
          investorId: investor.id,
          investeeId: investee.id,
          amount: money(investment.committed, currency),
          instrument: pick(['equity', 'convertible_note', 'safe', 'warrant', 'loan', 'other'], a >>> 3),
        });
      },
      fund: () => {
        const open = investments.filter((i) => i.used < i.committed);
        if (open.length === 0) return null;
        const investment = pick(open, a);
        const amount = partOf(investment.committed - investment.used, b);
        investment.used += amount;
        investment.tranches += 1;
        const envelope = emit('InvestmentFunded', at(refTime(investment.committedAt)), {
          investmentId: investment.id,
          trancheId: `t${investment.tranches}`,
          amount: money(amount, investment.currency),
        });
        remember(envelope, () => (investment.used -= amount));
        return envelope;
      },
      linkedGrant: () => {
        const open = investments.filter((i) => i.used < i.committed);
        if (open.length === 0) return null;
        const investment = pick(open, a);
        const provider = pick(
          parties.filter((p) => p.group === investment.investor.group),
          b,
        );
        const amount = partOf(investment.committed - investment.used, c);
        investment.used += amount;
        const grant: GrantS = {
          id: `g${grants.length}`,
          provider,
          recipient: investment.investee,
          currency: investment.currency,
          granted: amount,
          used: 0n,
          grantedAt: 0,
        };
        grant.grantedAt = at(Math.max(refTime(investment.committedAt), partyTime(provider)));
        grants.push(grant);
        return emit('ComputeCreditsGranted', grant.grantedAt, {
          grantId: grant.id,
          providerId: provider.id,
          recipientId: investment.investee.id,
          amount: money(amount, grant.currency),
          investmentId: investment.id,
        });
      },
      grant: () => {
        const pair = distinctPair(a, b);
        if (!pair) return null;
        const [provider, recipient] = pair;
        const grant: GrantS = {
          id: `g${grants.length}`,
          provider,
          recipient,
          currency: currencyFor(recipient, c),
          granted: amountOf(d) * 3n,
          used: 0n,
          grantedAt: 0,
        };
        grant.grantedAt = at(partyTime(provider, recipient));
        grants.push(grant);
        const data: Record<string, unknown> = {
          grantId: grant.id,
          providerId: provider.id,
          recipientId: recipient.id,
          amount: money(grant.granted, grant.currency),
        };
        if (c % 3 === 0) data.expiresAt = instantText(grant.grantedAt + 365 * 86_400_000, c);
        return emit('ComputeCreditsGranted', grant.grantedAt, data);
      },
      commitment: () => {
        const pair = distinctPair(a, b);
        if (!pair) return null;
        const [customer, provider] = pair;
        const commitment: CommitmentS = {
          id: `cc${commitments.length}`,
          customer,
          provider,
          currency: currencyFor(customer, c),
          signedAt: 0,
        };
        commitment.signedAt = at(partyTime(customer, provider));
        commitments.push(commitment);
        const startsAt = commitment.signedAt + (d % 30) * 86_400_000;
        return emit('ComputeCommitmentSigned', commitment.signedAt, {
          commitmentId: commitment.id,
          customerId: customer.id,
          providerId: provider.id,
          amount: money(1n + BigInt(d % 10_000_000), commitment.currency),
          startsAt: instantText(startsAt, d),
          endsAt: instantText(startsAt + (1 + (c % 1000)) * 3_600_000, c),
        });
      },
      bill: () => {
        // often on the terms of a grant or a commitment, so that credits can settle it
        let provider: PartyS;
        let customer: PartyS;
        let currency: Currency;
        let commitment: CommitmentS | undefined;
        const source = a % 3;
        if (source === 0 && grants.length > 0) {
          const grant = pick(grants, b);
          [provider, customer, currency] = [grant.provider, grant.recipient, grant.currency];
        } else if (source === 1 && commitments.length > 0) {
          commitment = pick(commitments, b);
          [provider, customer, currency] = [commitment.provider, commitment.customer, commitment.currency];
          if (c % 3 === 0) commitment = undefined;
        } else {
          const homeward = source === 2 && c % 2 === 0 ? homewardPair(b, c >>> 1) : null;
          const pair = homeward ?? distinctPair(b, c);
          if (!pair) return null;
          [customer, provider] = pair;
          currency = homeward ? pick(investments, b).currency : currencyFor(customer, d);
        }
        const invoice: InvoiceS = {
          id: `bill${invoices.length}`,
          provider,
          customer,
          currency,
          billed: amountOf(d),
          settled: 0n,
          billedAt: 0,
          settlements: 0,
        };
        invoice.billedAt = at(Math.max(refTime(commitment?.signedAt ?? START), partyTime(provider, customer)));
        invoices.push(invoice);
        const data: Record<string, unknown> = {
          invoiceId: invoice.id,
          providerId: provider.id,
          customerId: customer.id,
          amount: money(invoice.billed, currency),
        };
        if (commitment) data.commitmentId = commitment.id;
        return emit('UsageBilled', invoice.billedAt, data);
      },
      settle: () => {
        const open = invoices.filter((i) => i.settled < i.billed);
        if (open.length === 0) return null;
        const invoice = pick(open, a);
        const usable = grants.filter(
          (g) =>
            g.provider === invoice.provider && g.recipient === invoice.customer && g.currency === invoice.currency && g.used < g.granted,
        );
        const grant = usable.length > 0 && c % 5 < 3 ? pick(usable, d) : undefined;
        let limit = invoice.billed - invoice.settled;
        if (grant && grant.granted - grant.used < limit) limit = grant.granted - grant.used;
        const amount = partOf(limit, b);
        invoice.settled += amount;
        invoice.settlements += 1;
        if (grant) grant.used += amount;
        const data: Record<string, unknown> = {
          invoiceId: invoice.id,
          settlementId: `s${invoice.settlements}`,
          amount: money(amount, invoice.currency),
          method: grant ? 'credits' : 'cash',
        };
        if (grant) data.grantId = grant.id;
        const envelope = emit('InvoiceSettled', at(refTime(invoice.billedAt, grant?.grantedAt ?? START)), data);
        remember(envelope, () => {
          invoice.settled -= amount;
          if (grant) grant.used -= amount;
        });
        return envelope;
      },
      pay: () => {
        if (options.busy && parties.length >= 2) {
          // a hub (the first party) receives many small payments from the others, whose pools
          // carry different tags, and now and then pays out a lot at once
          const hub = parties[0];
          const other = pick(parties.slice(1), a);
          const inbound = c % 10 < 7;
          const amount = inbound ? 1n + BigInt((c >>> 4) % 2000) : amountOf(d) * 200n;
          const envelope = emit('PaymentMade', at(partyTime(hub, other)), {
            paymentId: `pay${index}`,
            payerId: inbound ? other.id : hub.id,
            payeeId: inbound ? hub.id : other.id,
            amount: money(amount, 'USD'),
            purpose: pick(['compute', 'hardware', 'services', 'other'], d >>> 4),
          });
          remember(envelope, () => undefined);
          return envelope;
        }
        const homeward = c % 10 < 3 ? homewardPair(a, b) : null;
        const pair = homeward ?? distinctPair(a, b);
        if (!pair) return null;
        const [payer, payee] = pair;
        const envelope = emit('PaymentMade', at(partyTime(payer, payee)), {
          paymentId: `pay${index}`,
          payerId: payer.id,
          payeeId: payee.id,
          amount: money(amountOf(c), homeward ? pick(investments, a).currency : currencyFor(payer, d)),
          purpose: pick(['compute', 'hardware', 'services', 'other'], d >>> 4),
        });
        remember(envelope, () => undefined);
        return envelope;
      },
      expire: () => {
        const open = grants.filter((g) => g.used < g.granted);
        if (open.length === 0) return null;
        const grant = pick(open, a);
        const amount = partOf(grant.granted - grant.used, b);
        grant.used += amount;
        const envelope = emit('CreditsExpired', at(refTime(grant.grantedAt)), { grantId: grant.id, amount: money(amount, grant.currency) });
        remember(envelope, () => (grant.used -= amount));
        return envelope;
      },
      reverse: () => {
        if (reversible.length === 0) return null;
        const i = a % reversible.length;
        const target = reversible[i];
        reversible.splice(i, 1);
        target.undo();
        // a reversal refers to no entity: its business time may even precede its target's
        const envelope = emit('EventReversed', at(START), {
          reversedEventId: b % 2 === 0 ? target.eventId.toLowerCase() : target.eventId.toUpperCase(),
          reason: `correction of a ${target.type}`,
        });
        return envelope;
      },
    };

    advance();
    let first: Kind = parties.length < 3 ? 'register' : kindOf(roll, options.busy ? BUSY_WEIGHTS : KIND_WEIGHTS);
    if (first === 'register' && options.busy && parties.length >= BUSY_PARTIES) first = 'pay';
    let envelope = make[first]();
    for (const fallback of ['pay', 'bill', 'opening', 'register'] as Kind[]) {
      if (envelope) break;
      envelope = make[fallback]();
    }
    out.push(envelope!);
  }
  return out;
}

/**
 * Generates like `generator` (long scenarios: hundreds of events), shrinks like `shrinker`
 * (down to a handful), so that a failure is reported on a short event file.
 */
class GenerateLongShrinkShort<T> extends fc.Arbitrary<T> {
  constructor(
    private readonly generator: fc.Arbitrary<T>,
    private readonly shrinker: fc.Arbitrary<T>,
  ) {
    super();
  }

  generate(mrng: fc.Random, biasFactor: number | undefined): fc.Value<T> {
    return new fc.Value(this.generator.generate(mrng, biasFactor).value, undefined);
  }

  canShrinkWithoutContext(value: unknown): value is T {
    return this.shrinker.canShrinkWithoutContext(value);
  }

  shrink(value: T, context: unknown): fc.Stream<fc.Value<T>> {
    return this.shrinker.shrink(value, context);
  }
}

export function ownScenario(
  length: { min: number; max: number },
  options: OwnScenarioOptions = { partyTimes: 'lax' },
): fc.Arbitrary<Scenario> {
  const steps = new GenerateLongShrinkShort(
    fc.array(stepArb, { minLength: length.min, maxLength: length.max }),
    fc.array(stepArb, { minLength: 1, maxLength: length.max }),
  );
  const name = `own producer (party times ${options.partyTimes}${options.busy ? ', busy' : ''})`;
  return steps.map((list) => scenarioOf(name, eventsOfSteps(list, options)));
}

/** The import benchmark's producer, seeded. */
export function benchScenario(length: { min: number; max: number }): fc.Arbitrary<Scenario> {
  const events = new GenerateLongShrinkShort(fc.integer({ min: length.min, max: length.max }), fc.integer({ min: 1, max: length.max }));
  return fc
    .record({ seed: fc.nat(), events, spanDays: fc.integer({ min: 2, max: 400 }) })
    .map(({ seed, events, spanDays }) =>
      scenarioOf(`bench generator (seed ${seed}, ${events} events, ${spanDays} days)`, [...generateEvents({ events, seed, spanDays })]),
    );
}

/** Mostly our own producer (denser interactions; a quarter of them busy), sometimes the benchmark's. */
export function scenarios(
  length: { min: number; max: number },
  options: OwnScenarioOptions = { partyTimes: 'lax' },
): fc.Arbitrary<Scenario> {
  return fc.oneof(
    { arbitrary: ownScenario(length, options), weight: 3 },
    // busy scenarios run half as long again: a hub's queue needs that many lots to be compacted
    {
      arbitrary: ownScenario({ min: Math.round(length.min * 1.5), max: Math.round(length.max * 1.5) }, { ...options, busy: true }),
      weight: 1,
    },
    { arbitrary: benchScenario(length), weight: 1 },
  );
}

// ---------------------------------------------------------------------------------------------
// Small helpers the properties share

/**
 * fast-check parameters for a property: `numRuns`, and a bound on the whole run so that a failing
 * property does not shrink for minutes (the failure is still reported, with the smallest
 * counterexample reached). A run interrupted before any failure passes with the runs it did: on a
 * very slow machine the properties check fewer cases, they never fail on timing.
 * PROPERTY_RUNS_FACTOR multiplies the runs (and the bound), for a longer soak by hand.
 */
export function runs(numRuns: number): { numRuns: number; interruptAfterTimeLimit: number } {
  // PROPERTY_RUNS_FACTOR=10 npx jest test/properties: a longer soak, by hand
  const factor = Math.max(1, Number(process.env.PROPERTY_RUNS_FACTOR) || 1);
  return { numRuns: Math.round(numRuns * factor), interruptAfterTimeLimit: 45_000 * factor };
}

/** The event a reversal targets, by event key. */
export function byEventKey(events: readonly ViewEvent[]): Map<string, ViewEvent> {
  return new Map(events.map((e) => [eventKey(e.event.eventId), e]));
}

export function reversalTargetOf(event: CapflowEvent, index: ReadonlyMap<string, ViewEvent>): ViewEvent | undefined {
  return event.type === 'EventReversed' ? index.get(eventKey(event.data.reversedEventId)) : undefined;
}

/** A small seeded PRNG (mulberry32) for choices made inside a property. */
export function prng(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n: number) => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * n;
  };
}

/**
 * One pass in business order, as the contract describes it, computed here rather than with the
 * projections' own selection: every party's group from its registration (registrations are
 * permanent), and the facts to apply: not reversals, not reversed, by occurredAt then position.
 */
export function businessPass(events: readonly ViewEvent[]): { groups: Map<string, string>; applied: ViewEvent[] } {
  const groups = new Map<string, string>();
  const reversed = new Set<string>();
  for (const { event } of [...events].sort((a, b) => a.position - b.position)) {
    if (event.type === 'PartyRegistered') {
      const parent = event.data.parentId;
      groups.set(event.data.partyId, parent === undefined ? event.data.partyId : (groups.get(parent) ?? parent));
    } else if (event.type === 'EventReversed') {
      reversed.add(eventKey(event.data.reversedEventId));
    }
  }
  const applied = events
    .filter((e) => e.event.type !== 'EventReversed' && !reversed.has(eventKey(e.event.eventId)))
    .sort((a, b) => (a.occurredKey < b.occurredKey ? -1 : a.occurredKey > b.occurredKey ? 1 : a.position - b.position));
  return { groups, applied };
}

/** Where an event sits, for failure messages. */
export function describeEvent(e: ViewEvent): string {
  return `position ${e.position} ${e.event.type} ${e.event.eventId} occurredAt ${e.event.occurredAt}`;
}
