import type { CurrencyCode } from '@capflow/contracts';

/**
 * What every view needs to know of the ledger's entities, as of the events applied so far:
 * parties and their groups, investments, grants and invoices. Registrations are never reversed.
 */
export interface InvestmentInfo {
  investmentId: string;
  investorId: string;
  investeeId: string;
  investorGroup: string;
  investeeGroup: string;
  currency: CurrencyCode;
  committed: bigint;
  instrument: string;
}

export interface GrantInfo {
  grantId: string;
  providerId: string;
  recipientId: string;
  currency: CurrencyCode;
  granted: bigint;
  investmentId?: string;
  expiresAt?: string;
}

export interface InvoiceInfo {
  invoiceId: string;
  providerId: string;
  customerId: string;
  currency: CurrencyCode;
  billed: bigint;
  commitmentId?: string;
}

export interface CommitmentInfo {
  commitmentId: string;
  customerId: string;
  providerId: string;
  currency: CurrencyCode;
  amount: bigint;
  startsAt: string;
  endsAt: string;
}

export class Registry {
  readonly groups = new Map<string, string>();
  readonly partyNames = new Map<string, string>();
  readonly investments = new Map<string, InvestmentInfo>();
  readonly grants = new Map<string, GrantInfo>();
  readonly invoices = new Map<string, InvoiceInfo>();
  readonly commitments = new Map<string, CommitmentInfo>();
  /** Commitments by customer, for an investee's commitments back to its investor's group. */
  readonly commitmentsByCustomer = new Map<string, CommitmentInfo[]>();

  addCommitment(commitment: CommitmentInfo): void {
    this.commitments.set(commitment.commitmentId, commitment);
    const list = this.commitmentsByCustomer.get(commitment.customerId);
    if (list) list.push(commitment);
    else this.commitmentsByCustomer.set(commitment.customerId, [commitment]);
  }

  /** Sum of the commitments in `currency` of `customerId` to providers in `providerGroup`. */
  commitmentsTo(customerId: string, providerGroup: string, currency: CurrencyCode): bigint {
    let sum = 0n;
    for (const commitment of this.commitmentsByCustomer.get(customerId) ?? []) {
      if (commitment.currency === currency && this.groupOf(commitment.providerId) === providerGroup) sum += commitment.amount;
    }
    return sum;
  }

  /** A party's group; a party the view has not seen registered is taken as its own group. */
  groupOf(partyId: string): string {
    return this.groups.get(partyId) ?? partyId;
  }
}
