import { CurrencyCode, formatInstantKey, parseRfc3339 } from '@capflow/contracts';
import { formatAmount, parseAmount } from '@capflow/ledger';
import { codePointOrder } from '../balances/balances.projection';
import { roundTripRatio } from '../tracing/round-trips.report';
import type { Registry } from '../view/registry';

export const DEFAULT_WINDOW_DAYS = 90;
export const MAX_WINDOW_DAYS = 3660;
const SECONDS_PER_DAY = 86_400;
const YEAR_0 = -62_167_219_200;
const YEAR_10000 = 253_402_300_800;

export interface DealLinkRow {
  investmentId: string;
  investorGroup: string;
  investeeId: string;
  currency: string;
  committed: string;
  linkedCommitmentIds: string[];
  linkedAmount: string;
  linkedRatio: number | null;
}

export interface DealLinksReport {
  asOf: string | null;
  windowDays: number;
  investments: DealLinkRow[];
}

/**
 * What deal links are computed from, for any window: every investment and compute commitment of
 * a view with the instant (key) of its creating fact. A read model stores this, not the links,
 * since the window is the reader's.
 */
export interface DealCandidates {
  investments: {
    investmentId: string;
    investorGroup: string;
    investeeId: string;
    currency: string;
    committed: string;
    committedKey: string;
  }[];
  commitments: { commitmentId: string; customerId: string; providerGroup: string; currency: string; amount: string; signedKey: string }[];
}

/** By id: the registry's order depends on how it was filled (recorded order, or business order), a read model's must not. */
export function dealCandidatesOf(registry: Registry): DealCandidates {
  return {
    investments: [...registry.investments.values()]
      .sort((a, b) => codePointOrder(a.investmentId, b.investmentId))
      .map((i) => ({
        investmentId: i.investmentId,
        investorGroup: i.investorGroup,
        investeeId: i.investeeId,
        currency: i.currency,
        committed: formatAmount(i.committed, i.currency),
        committedKey: i.committedKey,
      })),
    commitments: [...registry.commitments.values()]
      .sort((a, b) => codePointOrder(a.commitmentId, b.commitmentId))
      .map((c) => ({
        commitmentId: c.commitmentId,
        customerId: c.customerId,
        providerGroup: registry.groupOf(c.providerId),
        currency: c.currency,
        amount: formatAmount(c.amount, c.currency),
        signedKey: c.signedKey,
      })),
  };
}

/**
 * TRACING.md 1.1: each investment I (investor group G, investee E) with the commitments of E to
 * providers in G, in I's currency, signed within `windowDays` days before or after I's
 * InvestmentCommitted (both ends included). Only investments with a link, by investmentId.
 */
export function dealLinksReport(candidates: DealCandidates, windowDays: number, asOf: string | null): DealLinksReport {
  const byCustomer = new Map<string, DealCandidates['commitments']>();
  for (const commitment of candidates.commitments) {
    const key = `${commitment.customerId}\u0000${commitment.providerGroup}\u0000${commitment.currency}`;
    const list = byCustomer.get(key);
    if (list) list.push(commitment);
    else byCustomer.set(key, [commitment]);
  }
  const rows: DealLinkRow[] = [];
  for (const investment of candidates.investments) {
    const commitments = byCustomer.get(`${investment.investeeId}\u0000${investment.investorGroup}\u0000${investment.currency}`);
    if (!commitments) continue;
    const [from, to] = windowAround(investment.committedKey, windowDays);
    const linked = commitments.filter((c) => c.signedKey >= from && c.signedKey <= to);
    if (linked.length === 0) continue;
    const currency = investment.currency as CurrencyCode;
    const linkedAmount = linked.reduce((sum, c) => sum + parseAmount(c.amount, currency), 0n);
    rows.push({
      investmentId: investment.investmentId,
      investorGroup: investment.investorGroup,
      investeeId: investment.investeeId,
      currency,
      committed: investment.committed,
      linkedCommitmentIds: linked.map((c) => c.commitmentId).sort(codePointOrder),
      linkedAmount: formatAmount(linkedAmount, currency),
      linkedRatio: roundTripRatio(linkedAmount, parseAmount(investment.committed, currency)),
    });
  }
  rows.sort((a, b) => codePointOrder(a.investmentId, b.investmentId));
  return { asOf, windowDays, investments: rows };
}

/** The instant keys `days` days before and after an instant key: instant keys sort as instants. */
function windowAround(key: string, days: number): [string, string] {
  const instant = parseRfc3339(key);
  if (typeof instant === 'string') throw new Error(`not an instant key: ${key}`);
  const from = instant.epochSeconds - days * SECONDS_PER_DAY;
  const to = instant.epochSeconds + days * SECONDS_PER_DAY;
  // past the years 0000–9999 no instant is: the window is open on that side
  return [
    from < YEAR_0 ? '' : formatInstantKey({ epochSeconds: from, nanos: instant.nanos, leapSecond: false }),
    to >= YEAR_10000 ? '\uffff' : formatInstantKey({ epochSeconds: to, nanos: instant.nanos, leapSecond: false }),
  ];
}
