import { CurrencyCode } from '@capflow/contracts';

/**
 * What the business rules need to know of every fact accepted so far, in ingestion order.
 * It holds entities, not events: eventIds are deduplicated against the store, and a reversal's
 * target is looked up there, so this stays proportional to the number of entities.
 * Times are instant keys (see instantKey), so string order is time order.
 */
export interface PartyState {
  group: string;
  registeredAt: string;
}

export interface InvestmentState {
  investorId: string;
  investeeId: string;
  investorGroup: string;
  currency: CurrencyCode;
  committed: bigint;
  /** Cash funded plus credits granted against it, not counting reversed fundings. */
  funded: bigint;
  committedAt: string;
}

export interface GrantState {
  providerId: string;
  recipientId: string;
  currency: CurrencyCode;
  granted: bigint;
  /** Settled with it plus expired, not counting reversed events. */
  used: bigint;
  investmentId?: string;
  grantedAt: string;
}

export interface CommitmentState {
  customerId: string;
  providerId: string;
  currency: CurrencyCode;
  signedAt: string;
}

export interface InvoiceState {
  providerId: string;
  customerId: string;
  currency: CurrencyCode;
  billed: bigint;
  /** Not counting reversed settlements. */
  settled: bigint;
  billedAt: string;
}

export class LedgerState {
  readonly parties = new Map<string, PartyState>();
  readonly investments = new Map<string, InvestmentState>();
  readonly grants = new Map<string, GrantState>();
  readonly commitments = new Map<string, CommitmentState>();
  readonly invoices = new Map<string, InvoiceState>();
  /** `investmentId trancheId`: taken for good, even when the funding is reversed. */
  readonly tranches = new Set<string>();
  /** `invoiceId settlementId`: taken for good, even when the settlement is reversed. */
  readonly settlements = new Set<string>();
  readonly payments = new Set<string>();
  /** Event keys of reversed events. */
  readonly reversed = new Set<string>();
}

/** Ids match [A-Za-z0-9._:-], so a space cannot occur in either part. */
export function scopedId(scope: string, id: string): string {
  return `${scope} ${id}`;
}
