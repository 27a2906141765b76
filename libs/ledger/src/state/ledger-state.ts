import { CurrencyCode } from '@capflow/contracts';

/**
 * What the business rules need to know of every fact accepted so far, in ingestion order.
 * It holds entities, not events: eventIds are deduplicated against the store, and a reversal's
 * target is looked up there. Parties, investments, grants and commitments are few and held
 * whole. Invoices and payments are as many as the facts themselves, so the state holds a window
 * of them: before deciding, the caller loads into it the invoices and payments a batch refers to
 * (their streams hold everything: see invoiceStateOf), and trims it after.
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
  /** Taken for good, even when the settlement is reversed. */
  settlementIds: Set<string>;
}

export class LedgerState {
  readonly parties = new Map<string, PartyState>();
  readonly investments = new Map<string, InvestmentState>();
  readonly grants = new Map<string, GrantState>();
  readonly commitments = new Map<string, CommitmentState>();
  /** A window of invoices: complete for the ones a batch refers to, once loaded. */
  readonly invoices = new Map<string, InvoiceState>();
  /** `investmentId trancheId`: taken for good, even when the funding is reversed. */
  readonly tranches = new Set<string>();
  /** A window of paymentIds known to exist: complete for the ones a batch refers to, once loaded. */
  readonly payments = new Set<string>();
  /** Event keys of reversed events. */
  readonly reversed = new Set<string>();

  /** Keeps the windows within bounds, forgetting the oldest entries (they stay in the store). */
  trim(limits: { invoices: number; payments: number }): void {
    dropOldest(this.invoices, limits.invoices);
    dropOldest(this.payments, limits.payments);
  }
}

function dropOldest(collection: Map<string, unknown> | Set<string>, limit: number): void {
  let excess = collection.size - limit;
  if (excess <= 0) return;
  for (const key of collection.keys()) {
    if (excess-- <= 0) break;
    collection.delete(key);
  }
}

/** Ids match [A-Za-z0-9._:-], so a space cannot occur in either part. */
export function scopedId(scope: string, id: string): string {
  return `${scope} ${id}`;
}
