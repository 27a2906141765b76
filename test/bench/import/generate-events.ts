/**
 * A deterministic producer of capital-flow events for the import benchmark.
 *
 * It writes N envelopes that the ledger accepts, every one of them: it keeps its own account of
 * the entities it created (parties and their groups, investments, grants, commitments, open
 * invoices) and only emits facts that respect the business rules of EVENTS.md against what it
 * emitted before. It is an independent producer: it follows the contract, not the ledger's code.
 *
 * The mix is meant to look like a year or two of a finance system's feed: a few thousand parties
 * (groups with subsidiaries), thousands of investments funded in tranches and partly in linked
 * compute credits, and mostly usage bills, their settlements (cash or credits) and payments, in
 * twelve currencies, with a few expiries, reversals, opening balances and late-arriving facts.
 *
 * Randomness comes from a seeded sfc32 generator: the same options give the same bytes.
 *
 *   node dist/test/bench/import/generate-events.js --events 1000000 --out /tmp/events.ndjson [--seed 42]
 */
import { closeSync, openSync, renameSync, writeSync } from 'node:fs';

/** Bump when the output for given options changes: the benchmark caches files by it. */
/**
 * 2: payments for services and "other" go to each payer's own few counterparties, as businesses
 * pay the suppliers they work with, not to random parties (v1 spread every investment's money to
 * every party, which is not how capital flows and made pro_rata pools hold every tag).
 */
export const GENERATOR_VERSION = 2;

export interface GenerateOptions {
  /** How many events (lines). */
  events: number;
  /** PRNG seed (default 20251103). */
  seed?: number;
  /** Business time of the first event (default 2024-01-01T00:00:00Z). */
  start?: string;
  /** Business time the stream spans, in days (default 730). */
  spanDays?: number;
}

export interface EventEnvelope {
  eventId: string;
  type: string;
  schemaVersion?: 1;
  occurredAt: string;
  source: string;
  data: Record<string, unknown>;
}

export interface GenerateStats {
  events: number;
  bytes: number;
  byType: Record<string, number>;
  /** Events whose occurredAt is earlier than an event before them. */
  late: number;
}

// ---------------------------------------------------------------------------------------------
// Randomness

/** sfc32, seeded through splitmix32: fast, 128 bits of state, good enough for UUIDs. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    for (let i = 0; i < 15; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** [0, 1) */
  next(): number {
    return this.uint32() / 4294967296;
  }

  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** Skewed towards the front: the first items (the big providers, the busy accounts) come up most. */
  pickSkewed<T>(items: readonly T[], power = 2): T {
    return items[Math.floor(Math.pow(this.next(), power) * items.length)];
  }

  weighted<T>(entries: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, weight] of entries) total += weight;
    let r = this.next() * total;
    for (const [value, weight] of entries) {
      r -= weight;
      if (r < 0) return value;
    }
    return entries[entries.length - 1][0];
  }

  /** Log-uniform in [min, max]. */
  logUniform(min: number, max: number): number {
    return Math.exp(Math.log(min) + this.next() * (Math.log(max) - Math.log(min)));
  }

  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** A version-4 UUID, lower case. */
  uuid(): string {
    const hex = (n: number) => n.toString(16).padStart(8, '0');
    const a = hex(this.uint32());
    const b = hex(this.uint32());
    const c = hex(this.uint32());
    const d = hex(this.uint32());
    const variant = ((parseInt(c[0], 16) & 0x3) | 0x8).toString(16);
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }
}

// ---------------------------------------------------------------------------------------------
// Money

const MINOR_UNITS = { USD: 2, EUR: 2, GBP: 2, CHF: 2, CAD: 2, AUD: 2, CNY: 2, INR: 2, JPY: 0, KRW: 0, KWD: 3, BHD: 3 } as const;
type Currency = keyof typeof MINOR_UNITS;
/** Units of the currency per US dollar, roughly. */
const PER_USD: Record<Currency, number> = {
  USD: 1,
  EUR: 0.92,
  GBP: 0.79,
  CHF: 0.88,
  CAD: 1.36,
  AUD: 1.52,
  CNY: 7.2,
  INR: 83,
  JPY: 150,
  KRW: 1350,
  KWD: 0.31,
  BHD: 0.377,
};
const CURRENCY_WEIGHTS: readonly (readonly [Currency, number])[] = [
  ['USD', 55],
  ['EUR', 12],
  ['GBP', 6],
  ['JPY', 5],
  ['CAD', 3],
  ['CHF', 3],
  ['AUD', 3],
  ['CNY', 3],
  ['INR', 3],
  ['KRW', 3],
  ['KWD', 2],
  ['BHD', 2],
];

/** Minor units of `usd` dollars' worth of the currency, rounded to `roundTo` minor units (at least 1). */
function minorOf(usd: number, currency: Currency, roundTo = 1): number {
  const raw = usd * PER_USD[currency] * 10 ** MINOR_UNITS[currency];
  const minor = Math.max(1, Math.round(raw / roundTo) * roundTo);
  if (!Number.isSafeInteger(minor)) throw new RangeError(`amount out of range: ${raw}`);
  return minor;
}

/** Minor units → the decimal string with exactly the currency's minor digits. */
export function formatMinor(minor: number, currency: Currency): string {
  const digits = MINOR_UNITS[currency];
  const text = String(minor);
  if (digits === 0) return text;
  const padded = text.padStart(digits + 1, '0');
  return `${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

function money(minor: number, currency: Currency): { amount: string; currency: Currency } {
  return { amount: formatMinor(minor, currency), currency };
}

// ---------------------------------------------------------------------------------------------
// Time

const OFFSETS = ['+01:00', '+02:00', '-05:00', '-08:00', '+05:30', '+09:00', '+08:00', '-03:00'];

function offsetMinutes(offset: string): number {
  const sign = offset[0] === '-' ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
}

/** An RFC 3339 text naming exactly the instant `ms`: whole seconds without a fraction, else milliseconds. */
function formatInstant(ms: number, offset: string | null): string {
  const shifted = offset ? ms + offsetMinutes(offset) * 60000 : ms;
  const iso = new Date(shifted).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const base = ms % 1000 === 0 ? iso.slice(0, 19) : iso.slice(0, 23);
  return `${base}${offset ?? 'Z'}`;
}

const DAY_MS = 86400000;

// ---------------------------------------------------------------------------------------------
// The producer's own account of what it emitted

type Sector = 'cloud' | 'investor' | 'lab' | 'chip' | 'other';
type PartyKind = 'investor' | 'ai_lab' | 'cloud_provider' | 'chipmaker' | 'other';

interface Group {
  id: string;
  sector: Sector;
  members: Party[];
}

interface Party {
  id: string;
  kind: PartyKind;
  group: Group;
  registeredAt: number;
  currency: Currency;
}

interface Investment {
  id: string;
  investor: Party;
  investee: Party;
  currency: Currency;
  committed: number;
  funded: number;
  committedAt: number;
  tranches: number;
  grants: number;
}

interface Account {
  provider: Party;
  customer: Party;
  currency: Currency;
  commitments: { id: string; signedAt: number }[];
  grants: Grant[];
}

interface Grant {
  id: string;
  account: Account;
  granted: number;
  used: number;
  grantedAt: number;
}

interface Invoice {
  id: string;
  account: Account;
  billed: number;
  settled: number;
  billedAt: number;
  settlements: number;
}

interface Reversible {
  eventId: string;
  type: string;
  undo: () => void;
}

const SECTOR_KIND: Record<Sector, PartyKind> = {
  cloud: 'cloud_provider',
  investor: 'investor',
  lab: 'ai_lab',
  chip: 'chipmaker',
  other: 'other',
};

/** The well-known groups every stream starts with: [root, name, sector, root kind, children (the sector's kind unless named)]. */
const KNOWN_GROUPS: readonly [string, string, Sector, PartyKind, [string, string, PartyKind?][]][] = [
  ['amazon', 'Amazon.com, Inc.', 'cloud', 'other', [['aws', 'Amazon Web Services']]],
  ['microsoft', 'Microsoft Corporation', 'cloud', 'other', [['azure', 'Microsoft Azure']]],
  [
    'alphabet',
    'Alphabet Inc.',
    'cloud',
    'other',
    [
      ['gcp', 'Google Cloud'],
      ['deepmind', 'Google DeepMind', 'ai_lab'],
    ],
  ],
  ['oracle', 'Oracle Corporation', 'cloud', 'cloud_provider', [['oci', 'Oracle Cloud Infrastructure']]],
  ['coreweave', 'CoreWeave, Inc.', 'cloud', 'cloud_provider', []],
  ['nvidia', 'NVIDIA Corporation', 'chip', 'chipmaker', [['nvidia-ventures', 'NVentures', 'investor']]],
  ['amd', 'Advanced Micro Devices, Inc.', 'chip', 'chipmaker', []],
  ['openai', 'OpenAI Group PBC', 'lab', 'ai_lab', [['openai-global', 'OpenAI Global, LLC']]],
  ['anthropic', 'Anthropic PBC', 'lab', 'ai_lab', []],
  ['xai', 'xAI Corp.', 'lab', 'ai_lab', []],
  ['mistral', 'Mistral AI SAS', 'lab', 'ai_lab', []],
  ['softbank', 'SoftBank Group Corp.', 'investor', 'investor', [['vision-fund-2', 'SoftBank Vision Fund 2']]],
  ['sequoia', 'Sequoia Capital', 'investor', 'investor', []],
  ['blackrock-gip', 'Global Infrastructure Partners', 'investor', 'investor', []],
  ['stargate', 'Stargate LLC', 'other', 'other', []],
];

const NAME_WORDS = [
  'Aurora',
  'Nimbus',
  'Quanta',
  'Vector',
  'Helix',
  'Cobalt',
  'Lumen',
  'Orbit',
  'Tensor',
  'Atlas',
  'Zephyr',
  'Cinder',
  'Polar',
  'Kestrel',
  'Meridian',
  'Sable',
  'Ångström',
  'Nordlys',
  'Étoile',
  'Fjord',
  'Sakura',
  'Kōgen',
  'Delta',
  'Boreal',
];
const SECTOR_SUFFIX: Record<Sector, string[]> = {
  cloud: ['Cloud', 'Compute', 'Hosting', 'Data Centers'],
  investor: ['Capital', 'Ventures', 'Partners', 'Growth Fund'],
  lab: ['AI', 'Labs', 'Intelligence', 'Research'],
  chip: ['Semiconductor', 'Silicon', 'Microsystems'],
  other: ['Energy', 'Services', 'Realty', 'Consulting', 'Networks'],
};
const CHILD_SUFFIX: Record<Sector, string[]> = {
  cloud: ['compute', 'cloud', 'gpu', 'edge'],
  investor: ['fund-1', 'fund-2', 'growth', 'opportunities'],
  lab: ['research', 'global', 'europe', 'apac'],
  chip: ['ventures', 'foundry', 'systems'],
  other: ['services', 'power', 'holdings', 'ops'],
};

const REVERSAL_REASONS = [
  'booked twice',
  'entered against the wrong counterparty',
  'amount keyed in error',
  'bank returned the transfer',
  'duplicate feed delivery',
  'correction after month-end reconciliation',
];

const RING_SIZE = 4096;
const INVOICE_POOL_LIMIT = 50000;

/**
 * The events, one at a time: nothing but the producer's bounded state is kept, so any N streams
 * in constant memory (the open-invoice pool and reversal candidates are capped).
 */
export function* generateEvents(options: GenerateOptions, counters: { late: number } = { late: 0 }): Generator<EventEnvelope> {
  const total = options.events;
  if (!Number.isSafeInteger(total) || total < 0) throw new RangeError('events must be a non-negative integer');
  const rng = new Prng(options.seed ?? 20251103);
  const startMs = Date.parse(options.start ?? '2024-01-01T00:00:00Z');
  const meanStepMs = ((options.spanDays ?? 730) * DAY_MS) / Math.max(total, 1);

  const targetParties = Math.min(3000, Math.max(40, Math.round(total * 0.003)));
  const targetInvestments = Math.min(5000, Math.max(4, Math.round(total * 0.004)));
  const targetAccounts = Math.min(8000, Math.max(4, Math.round(total * 0.006)));

  let clock = startMs;
  let emitted = 0;

  const groups: Group[] = [];
  const parties: Party[] = [];
  const byKind: Record<PartyKind, Party[]> = { investor: [], ai_lab: [], cloud_provider: [], chipmaker: [], other: [] };
  /** Parties that may invest: investors, the cloud and chip groups. */
  const investors: Party[] = [];
  const customers: Party[] = [];
  const openInvestments: Investment[] = [];
  const creditInvestments: Investment[] = [];
  const accounts: Account[] = [];
  const accountIndex = new Map<string, Account>();
  const grants: Grant[] = [];
  const openInvoices: Invoice[] = [];
  const reversible: Reversible[] = [];
  let partySerial = 0;
  let investmentSerial = 0;
  let grantSerial = 0;
  let commitmentSerial = 0;
  let invoiceSerial = 0;
  let paymentSerial = 0;

  // -- helpers --------------------------------------------------------------------------------

  const advanceClock = () => {
    const next = clock + rng.exponential(meanStepMs);
    // Most producers stamp whole seconds; some carry milliseconds.
    clock = rng.chance(0.8) ? Math.ceil(next / 1000) * 1000 : Math.ceil(next);
  };

  /**
   * The business time of the next event: now, or (about 1 in 100) a late-arriving fact from up
   * to ten days ago, never earlier than what it refers to (occurred_before_reference).
   */
  const occurredAt = (notBefore: number): { ms: number; text: string } => {
    let ms = clock;
    if (rng.chance(0.01)) ms = Math.max(notBefore, clock - Math.round(rng.logUniform(60000, 10 * DAY_MS)));
    const offset = rng.chance(0.08) ? rng.pick(OFFSETS) : null;
    return { ms, text: formatInstant(ms, offset) };
  };

  let lastOccurred = -Infinity;
  const envelope = (type: string, source: string, at: { ms: number; text: string }, data: Record<string, unknown>): EventEnvelope => {
    if (at.ms < lastOccurred) counters.late += 1;
    lastOccurred = Math.max(lastOccurred, at.ms);
    const eventId = rng.chance(0.02) ? rng.uuid().toUpperCase() : rng.uuid();
    emitted += 1;
    // Some feeds send schemaVersion, some rely on its default.
    return source === 'registry' || source.startsWith('billing-')
      ? { eventId, type, occurredAt: at.text, source, data }
      : { eventId, type, schemaVersion: 1, occurredAt: at.text, source, data };
  };

  const remember = (event: EventEnvelope, undo: () => void) => {
    const entry = { eventId: rng.chance(0.5) ? event.eventId.toLowerCase() : event.eventId, type: event.type, undo };
    if (reversible.length < RING_SIZE) reversible.push(entry);
    else reversible[rng.int(RING_SIZE)] = entry;
  };

  const homeCurrency = (): Currency => rng.weighted(CURRENCY_WEIGHTS);

  const groupName = (sector: Sector) => `${rng.pick(NAME_WORDS)} ${rng.pick(SECTOR_SUFFIX[sector])}`;

  const addParty = (id: string, kind: PartyKind, group: Group, at: number, currency: Currency): Party => {
    const party: Party = { id, kind, group, registeredAt: at, currency };
    group.members.push(party);
    parties.push(party);
    byKind[kind].push(party);
    if (group.sector === 'investor' || group.sector === 'cloud' || group.sector === 'chip') investors.push(party);
    if (kind === 'ai_lab' || kind === 'other') customers.push(party);
    return party;
  };

  const register = (id: string, name: string, kind: PartyKind, group: Group, parentId: string | undefined): EventEnvelope => {
    const at = { ms: clock, text: formatInstant(clock, null) };
    addParty(id, kind, group, clock, group.members[0]?.currency ?? homeCurrency());
    const data: Record<string, unknown> = { partyId: id, name, kind };
    if (parentId !== undefined) data.parentId = parentId;
    return envelope('PartyRegistered', 'registry', at, data);
  };

  const registerParty = (): EventEnvelope => {
    const withRoom = groups.length > 0 ? rng.pick(groups) : undefined;
    if (withRoom && withRoom.members.length < 5 && rng.chance(0.3)) {
      const root = withRoom.members[0];
      const suffix = CHILD_SUFFIX[withRoom.sector][withRoom.members.length - 1] ?? `unit-${withRoom.members.length}`;
      const name = `${withRoom.id.replace(/-\d+$/, '')} ${suffix}`.replace(/^./, (c) => c.toUpperCase());
      return register(`${root.id}.${suffix}`, name, SECTOR_KIND[withRoom.sector], withRoom, root.id);
    }
    const sector = rng.weighted<Sector>([
      ['lab', 42],
      ['other', 26],
      ['investor', 20],
      ['cloud', 6],
      ['chip', 6],
    ]);
    partySerial += 1;
    const id = `${sector}-${String(partySerial).padStart(4, '0')}`;
    const group: Group = { id, sector, members: [] };
    groups.push(group);
    return register(id, `${groupName(sector)} ${partySerial}`, SECTOR_KIND[sector], group, undefined);
  };

  /** The account a provider bills a customer on, in one currency; created on first use. */
  const accountOf = (provider: Party, customer: Party, currency: Currency): Account => {
    const key = `${provider.id}|${customer.id}|${currency}`;
    let account = accountIndex.get(key);
    if (!account) {
      account = { provider, customer, currency, commitments: [], grants: [] };
      accountIndex.set(key, account);
      accounts.push(account);
    }
    return account;
  };

  const someAccount = (): Account => {
    if (accounts.length === 0 || (accounts.length < targetAccounts && rng.chance(0.02))) {
      const provider = rng.pickSkewed(byKind.cloud_provider, 1.6);
      const customer = rng.chance(0.75) && byKind.ai_lab.length > 0 ? rng.pickSkewed(byKind.ai_lab, 1.5) : rng.pick(customers);
      return accountOf(provider, customer, rng.chance(0.6) ? 'USD' : customer.currency);
    }
    return rng.pickSkewed(accounts, 2);
  };

  // -- one event of each kind ------------------------------------------------------------------

  const openingBalance = (): EventEnvelope => {
    const party = rng.pick(parties);
    const currency = rng.chance(0.7) ? party.currency : 'USD';
    const minor = minorOf(rng.logUniform(1e5, 5e9), currency, 100);
    const event = envelope('OpeningBalanceRecorded', 'treasury', occurredAt(party.registeredAt), {
      partyId: party.id,
      amount: money(minor, currency),
    });
    remember(event, () => undefined);
    return event;
  };

  const commitInvestment = (): EventEnvelope | null => {
    const investor = rng.pickSkewed(investors, 1.5);
    const investee = rng.pickSkewed(byKind.ai_lab, 1.5);
    if (!investor || !investee || investor.group === investee.group) return null;
    investmentSerial += 1;
    const currency = rng.chance(0.7) ? 'USD' : investor.currency;
    const committed = minorOf(rng.logUniform(2e6, 2e10), currency, 10 ** MINOR_UNITS[currency] * 1000);
    const at = occurredAt(Math.max(investor.registeredAt, investee.registeredAt));
    const investment: Investment = {
      id: `inv-${investor.group.id}-${investee.id}-${investmentSerial}`.slice(0, 128),
      investor,
      investee,
      currency,
      committed,
      funded: 0,
      committedAt: at.ms,
      tranches: 0,
      grants: 0,
    };
    openInvestments.push(investment);
    if (investor.group.members.some((member) => member.kind === 'cloud_provider')) creditInvestments.push(investment);
    return envelope('InvestmentCommitted', 'deal-desk', at, {
      investmentId: investment.id,
      investorId: investor.id,
      investeeId: investee.id,
      amount: money(committed, currency),
      instrument: rng.weighted([
        ['equity', 40],
        ['convertible_note', 20],
        ['safe', 12],
        ['warrant', 8],
        ['loan', 12],
        ['other', 8],
      ]),
    });
  };

  /** Part of what an investment has left: a tranche, or all of it. */
  const trancheOf = (investment: Investment): number => {
    const remaining = investment.committed - investment.funded;
    const unit = 10 ** MINOR_UNITS[investment.currency] * 1000;
    const portion = Math.floor((investment.committed * (0.1 + rng.next() * 0.4)) / unit) * unit;
    return portion > 0 && portion < remaining && rng.chance(0.8) ? portion : remaining;
  };

  const fundInvestment = (): EventEnvelope | null => {
    if (openInvestments.length === 0) return null;
    const index = rng.int(openInvestments.length);
    const investment = openInvestments[index];
    const remaining = investment.committed - investment.funded; // linked grants use it up too
    const amount = remaining > 0 ? trancheOf(investment) : 0;
    if (amount === remaining) {
      openInvestments[index] = openInvestments[openInvestments.length - 1];
      openInvestments.pop();
    }
    if (amount <= 0) return null;
    investment.funded += amount;
    investment.tranches += 1;
    const event = envelope('InvestmentFunded', 'treasury', occurredAt(investment.committedAt), {
      investmentId: investment.id,
      trancheId: `t${investment.tranches}`,
      amount: money(amount, investment.currency),
    });
    remember(event, () => {
      investment.funded -= amount;
    });
    return event;
  };

  const newGrant = (account: Account, amount: number, at: { ms: number; text: string }, data: Record<string, unknown>) => {
    grantSerial += 1;
    const grant: Grant = { id: `grant-${account.provider.id}-${grantSerial}`, account, granted: amount, used: 0, grantedAt: at.ms };
    account.grants.push(grant);
    grants.push(grant);
    const expiresAt = rng.chance(0.6) ? { expiresAt: formatInstant(Math.floor(at.ms / DAY_MS) * DAY_MS + 365 * DAY_MS, null) } : {};
    return envelope('ComputeCreditsGranted', 'credits-desk', at, {
      grantId: grant.id,
      providerId: account.provider.id,
      recipientId: account.customer.id,
      amount: money(amount, account.currency),
      ...data,
      ...expiresAt,
    });
  };

  /** Compute credits granted as part of an investment: provider in the investor's group, to the investee. */
  const grantLinkedCredits = (): EventEnvelope | null => {
    const investment = creditInvestments.length > 0 ? rng.pick(creditInvestments) : undefined;
    if (!investment || investment.funded >= investment.committed) return null;
    const provider = rng.pick(investment.investor.group.members.filter((member) => member.kind === 'cloud_provider'));
    const amount = trancheOf(investment);
    investment.funded += amount;
    investment.grants += 1;
    const at = occurredAt(Math.max(investment.committedAt, provider.registeredAt));
    return newGrant(accountOf(provider, investment.investee, investment.currency), amount, at, { investmentId: investment.id });
  };

  const grantCredits = (): EventEnvelope => {
    const account = someAccount();
    const amount = minorOf(rng.logUniform(1e4, 5e7), account.currency, 10 ** MINOR_UNITS[account.currency] * 100);
    return newGrant(account, amount, occurredAt(Math.max(account.provider.registeredAt, account.customer.registeredAt)), {});
  };

  const signCommitment = (): EventEnvelope => {
    const account = someAccount();
    commitmentSerial += 1;
    const id = `cc-${account.customer.id}-${account.provider.id}-${commitmentSerial}`.slice(0, 128);
    const at = occurredAt(Math.max(account.provider.registeredAt, account.customer.registeredAt));
    account.commitments.push({ id, signedAt: at.ms });
    const startsAt = Math.floor(at.ms / DAY_MS) * DAY_MS + DAY_MS * rng.int(60);
    const years = 1 + rng.int(7);
    return envelope('ComputeCommitmentSigned', 'contracts', at, {
      commitmentId: id,
      customerId: account.customer.id,
      providerId: account.provider.id,
      amount: money(minorOf(rng.logUniform(1e6, 3e10), account.currency, 10 ** MINOR_UNITS[account.currency] * 1000), account.currency),
      startsAt: formatInstant(startsAt, null),
      endsAt: formatInstant(startsAt + years * 365 * DAY_MS, null),
    });
  };

  const billUsage = (): EventEnvelope => {
    const account = someAccount();
    invoiceSerial += 1;
    const billed = minorOf(rng.logUniform(50, 5e6), account.currency);
    const commitment = account.commitments.length > 0 && rng.chance(0.6) ? rng.pick(account.commitments) : undefined;
    const at = occurredAt(Math.max(account.provider.registeredAt, account.customer.registeredAt, commitment?.signedAt ?? -Infinity));
    const invoice: Invoice = {
      id: `bill-${String(invoiceSerial).padStart(8, '0')}`,
      account,
      billed,
      settled: 0,
      billedAt: at.ms,
      settlements: 0,
    };
    if (openInvoices.length >= INVOICE_POOL_LIMIT)
      openInvoices[rng.int(openInvoices.length)] = invoice; // the other stays unpaid
    else openInvoices.push(invoice);
    const data: Record<string, unknown> = {
      invoiceId: invoice.id,
      providerId: account.provider.id,
      customerId: account.customer.id,
      amount: money(billed, account.currency),
    };
    if (commitment) data.commitmentId = commitment.id;
    return envelope('UsageBilled', `billing-${account.provider.id}`.slice(0, 100), at, data);
  };

  const settleInvoice = (): EventEnvelope | null => {
    if (openInvoices.length === 0) return null;
    const index = rng.int(openInvoices.length);
    const invoice = openInvoices[index];
    const { account } = invoice;
    const remaining = invoice.billed - invoice.settled;
    let amount = rng.chance(0.7) || remaining < 2 ? remaining : 1 + rng.int(remaining - 1);
    let grant: Grant | undefined;
    if (account.grants.length > 0 && rng.chance(0.35)) {
      const candidate = account.grants[rng.int(account.grants.length)];
      if (candidate.granted > candidate.used) {
        grant = candidate;
        amount = Math.min(amount, grant.granted - grant.used);
      }
    }
    invoice.settled += amount;
    invoice.settlements += 1;
    if (grant) grant.used += amount;
    if (invoice.settled >= invoice.billed) {
      openInvoices[index] = openInvoices[openInvoices.length - 1];
      openInvoices.pop();
    }
    const at = occurredAt(Math.max(invoice.billedAt, grant?.grantedAt ?? -Infinity));
    const data: Record<string, unknown> = {
      invoiceId: invoice.id,
      settlementId: `s${invoice.settlements}`,
      amount: money(amount, account.currency),
      method: grant ? 'credits' : 'cash',
    };
    if (grant) data.grantId = grant.id;
    const event = envelope('InvoiceSettled', rng.chance(0.5) ? 'ar-ledger' : `billing-${account.provider.id}`.slice(0, 100), at, data);
    const settledGrant = grant;
    remember(event, () => {
      invoice.settled -= amount;
      if (settledGrant) settledGrant.used -= amount;
    });
    return event;
  };

  /** Each party's few counterparties for one purpose, chosen the first time it pays for it. */
  const counterparties = new Map<string, Party[]>();
  const counterpartiesOf = (payer: Party, purpose: string, pool: Party[]): Party[] => {
    const key = `${purpose} ${payer.id}`;
    let chosen = counterparties.get(key);
    if (!chosen) counterparties.set(key, (chosen = Array.from({ length: 1 + rng.int(6) }, () => rng.pick(pool))));
    return chosen;
  };

  const makePayment = (): EventEnvelope | null => {
    const purpose = rng.weighted([
      ['compute', 35],
      ['hardware', 20],
      ['services', 25],
      ['other', 20],
    ] as const);
    let payer: Party;
    let payee: Party;
    if (purpose === 'compute') {
      payer = rng.pick(customers);
      payee = rng.pickSkewed(byKind.cloud_provider, 1.6);
    } else if (purpose === 'hardware') {
      payer = rng.chance(0.6) ? rng.pickSkewed(byKind.cloud_provider, 1.6) : rng.pick(byKind.ai_lab);
      payee = rng.pickSkewed(byKind.chipmaker, 1.5);
    } else if (purpose === 'services') {
      payer = rng.pick(parties);
      payee = rng.pick(counterpartiesOf(payer, 'services', byKind.other.length > 0 ? byKind.other : parties));
    } else {
      payer = rng.pick(parties);
      payee = rng.pick(counterpartiesOf(payer, 'other', parties));
    }
    if (!payer || !payee || payer === payee) return null;
    paymentSerial += 1;
    const currency = rng.chance(0.6) ? payer.currency : 'USD';
    const amount = minorOf(rng.logUniform(100, 5e7), currency);
    const event = envelope(
      'PaymentMade',
      rng.chance(0.5) ? 'bank-feed' : 'erp',
      occurredAt(Math.max(payer.registeredAt, payee.registeredAt)),
      {
        paymentId: `pay-${String(paymentSerial).padStart(8, '0')}`,
        payerId: payer.id,
        payeeId: payee.id,
        amount: money(amount, currency),
        purpose,
      },
    );
    remember(event, () => undefined);
    return event;
  };

  const expireCredits = (): EventEnvelope | null => {
    for (let attempt = 0; attempt < 4 && grants.length > 0; attempt++) {
      const grant = rng.pick(grants);
      const remaining = grant.granted - grant.used;
      if (remaining <= 0) continue;
      const amount = rng.chance(0.6) || remaining < 2 ? remaining : 1 + rng.int(remaining - 1);
      grant.used += amount;
      const event = envelope('CreditsExpired', 'credits-desk', occurredAt(grant.grantedAt), {
        grantId: grant.id,
        amount: money(amount, grant.account.currency),
      });
      remember(event, () => {
        grant.used -= amount;
      });
      return event;
    }
    return null;
  };

  const reverse = (): EventEnvelope | null => {
    if (reversible.length === 0) return null;
    const index = rng.int(reversible.length);
    const target = reversible[index];
    reversible[index] = reversible[reversible.length - 1];
    reversible.pop();
    target.undo(); // the ledger restores what the reversed event consumed: so does the producer
    return envelope(
      'EventReversed',
      'corrections',
      { ms: clock, text: formatInstant(clock, null) },
      {
        reversedEventId: target.eventId,
        reason: `${rng.pick(REVERSAL_REASONS)} (${target.type})`,
      },
    );
  };

  // -- the stream ------------------------------------------------------------------------------

  // The reference groups, then a first share of the parties, as a registry would load them.
  const initial = Math.min(Math.floor(total / 2), Math.round(targetParties * 0.5));
  for (const [rootId, name, sector, rootKind, children] of KNOWN_GROUPS) {
    for (const [index, [id, childName, kind]] of [[rootId, name, rootKind] as const, ...children].entries()) {
      if (emitted >= initial) break;
      let group = groups.find((g) => g.id === rootId);
      if (!group) {
        group = { id: rootId, sector, members: [] };
        groups.push(group);
      }
      yield register(id, childName, kind ?? SECTOR_KIND[sector], group, index === 0 ? undefined : rootId);
      advanceClock();
    }
  }
  while (emitted < initial) {
    yield registerParty();
    advanceClock();
  }

  type Step = () => EventEnvelope | null;
  const steps: readonly (readonly [Step, number])[] = [
    [openingBalance, 0.0015],
    [fundInvestment, 0.01],
    [grantLinkedCredits, 0.003],
    [grantCredits, 0.005],
    [signCommitment, 0.003],
    [billUsage, 0.4],
    [settleInvoice, 0.33],
    [makePayment, 0.235],
    [expireCredits, 0.003],
    [reverse, 0.002],
  ];
  const ready = () => byKind.cloud_provider.length > 0 && byKind.ai_lab.length > 0 && customers.length > 0;

  while (emitted < total) {
    const left = total - emitted;
    let event: EventEnvelope | null = null;
    // Parties and investments arrive at an even pace over the stream, up to their targets.
    if (parties.length < targetParties && rng.chance((targetParties - parties.length) / left)) event = registerParty();
    else if (!ready()) event = registerParty();
    else if (investmentSerial < targetInvestments && rng.chance((targetInvestments - investmentSerial) / left)) event = commitInvestment();
    if (!event) event = rng.weighted(steps)();
    event ??= billUsage(); // always possible
    yield event;
    advanceClock();
  }
}

/** Writes the events as NDJSON to `path` (through a temporary file, renamed when complete). */
export function writeEventsFile(path: string, options: GenerateOptions): GenerateStats {
  const temporary = `${path}.${process.pid}.partial`;
  const fd = openSync(temporary, 'w');
  const byType: Record<string, number> = {};
  let bytes = 0;
  let events = 0;
  let chunk = '';
  const counters = { late: 0 };
  try {
    for (const event of generateEvents(options, counters)) {
      chunk += `${JSON.stringify(event)}\n`;
      byType[event.type] = (byType[event.type] ?? 0) + 1;
      events += 1;
      if (chunk.length >= 1 << 20) {
        bytes += writeSync(fd, chunk);
        chunk = '';
      }
    }
    if (chunk.length > 0) bytes += writeSync(fd, chunk);
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  return { events, bytes, byType, late: counters.late };
}

function argValue(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

function main(args: string[]): void {
  const events = Number(argValue(args, '--events') ?? '1000000');
  const out = argValue(args, '--out');
  const seed = argValue(args, '--seed');
  if (!out || !Number.isSafeInteger(events) || events < 0) {
    process.stderr.write('usage: generate-events --events N --out FILE [--seed S]\n');
    process.exitCode = 1;
    return;
  }
  const started = process.hrtime.bigint();
  const result = writeEventsFile(out, { events, seed: seed === undefined ? undefined : Number(seed) });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stderr.write(
    `${result.events} events, ${(result.bytes / 1e6).toFixed(1)} MB in ${seconds.toFixed(1)} s → ${out}\n` +
      `${Object.entries(result.byType)
        .sort((a, b) => b[1] - a[1])
        .map(([type, count]) => `  ${type.padEnd(24)} ${count}`)
        .join('\n')}\n  (late-arriving: ${result.late})\n`,
  );
}

if (require.main === module) main(process.argv.slice(2));
