import type { CurrencyCode } from '@capflow/contracts';

/**
 * What every view needs to know of the ledger's entities, as of the events applied so far:
 * parties and their groups, investments, grants and invoices. Registrations are never reversed.
 */
export interface InvestmentInfo {
  /** Its place in the registry: the tag pools carry for it. */
  index: number;
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
  /** By index: the investments, and the number of each one's investor group (what closes its tag). */
  private readonly investmentList: InvestmentInfo[] = [];
  readonly investorGroupNumbers: number[] = [];
  /** Groups numbered as first seen, so that the pools compare small integers, not strings. */
  private readonly groupNumbers = new Map<string, number>();
  readonly grants = new Map<string, GrantInfo>();
  readonly invoices = new Map<string, InvoiceInfo>();
  readonly commitments = new Map<string, CommitmentInfo>();
  /** Commitments by customer, for an investee's commitments back to its investor's group. */
  readonly commitmentsByCustomer = new Map<string, CommitmentInfo[]>();

  /** Registers an investment under the next index (its tag). */
  addInvestment(investment: Omit<InvestmentInfo, 'index'>): void {
    const known = this.investments.get(investment.investmentId);
    if (known) return;
    const info = { ...investment, index: this.investmentList.length };
    this.investments.set(info.investmentId, info);
    this.investmentList.push(info);
    this.investorGroupNumbers.push(this.numberOf(info.investorGroup));
  }

  investmentAt(index: number): InvestmentInfo {
    return this.investmentList[index];
  }

  /** An investment's tag; -1 for one the registry does not hold. */
  investmentIndexOf(investmentId: string): number {
    return this.investments.get(investmentId)?.index ?? -1;
  }

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

  /** The number of a party's group (see investorGroupNumbers). */
  groupNumberOf(partyId: string): number {
    return this.numberOf(this.groupOf(partyId));
  }

  private numberOf(group: string): number {
    let number = this.groupNumbers.get(group);
    if (number === undefined) this.groupNumbers.set(group, (number = this.groupNumbers.size));
    return number;
  }
}
