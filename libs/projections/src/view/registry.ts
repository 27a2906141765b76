import type { CurrencyCode } from '@capflow/contracts';
import type { SnapshotReader, SnapshotWriter } from '../snapshots/snapshot-codec';

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
  /** The instant key of its InvestmentCommitted (deal links). */
  committedKey: string;
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
  /** The instant key of its ComputeCommitmentSigned (deal links). */
  signedKey: string;
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

  snapshot(w: SnapshotWriter): void {
    w.num(this.groups.size);
    for (const [party, group] of this.groups) {
      w.str(party);
      w.str(group);
    }
    w.num(this.partyNames.size);
    for (const [party, name] of this.partyNames) {
      w.str(party);
      w.str(name);
    }
    w.num(this.investmentList.length);
    for (const i of this.investmentList) {
      w.str(i.investmentId);
      w.str(i.investorId);
      w.str(i.investeeId);
      w.str(i.investorGroup);
      w.str(i.investeeGroup);
      w.str(i.currency);
      w.big(i.committed);
      w.str(i.instrument);
      w.str(i.committedKey);
    }
    w.num(this.grants.size);
    for (const g of this.grants.values()) {
      w.str(g.grantId);
      w.str(g.providerId);
      w.str(g.recipientId);
      w.str(g.currency);
      w.big(g.granted);
      w.optStr(g.investmentId);
      w.optStr(g.expiresAt);
    }
    w.num(this.invoices.size);
    for (const i of this.invoices.values()) {
      w.str(i.invoiceId);
      w.str(i.providerId);
      w.str(i.customerId);
      w.str(i.currency);
      w.big(i.billed);
      w.optStr(i.commitmentId);
    }
    w.num(this.commitments.size);
    for (const c of this.commitments.values()) {
      w.str(c.commitmentId);
      w.str(c.customerId);
      w.str(c.providerId);
      w.str(c.currency);
      w.big(c.amount);
      w.str(c.startsAt);
      w.str(c.endsAt);
      w.str(c.signedKey);
    }
    w.num(this.commitmentsByCustomer.size);
    for (const [customer, list] of this.commitmentsByCustomer) {
      w.str(customer);
      w.num(list.length);
      for (const c of list) w.str(c.commitmentId);
    }
  }

  /** Fills an empty registry from a snapshot. */
  restoreSnapshot(r: SnapshotReader): void {
    for (let n = r.count(); n > 0; n--) this.groups.set(r.str(), r.str());
    for (let n = r.count(); n > 0; n--) this.partyNames.set(r.str(), r.str());
    for (let n = r.count(); n > 0; n--) {
      this.addInvestment({
        investmentId: r.str(),
        investorId: r.str(),
        investeeId: r.str(),
        investorGroup: r.str(),
        investeeGroup: r.str(),
        currency: r.str() as CurrencyCode,
        committed: r.big(),
        instrument: r.str(),
        committedKey: r.str(),
      });
    }
    for (let n = r.count(); n > 0; n--) {
      const grant: GrantInfo = { grantId: r.str(), providerId: r.str(), recipientId: r.str(), currency: r.str() as CurrencyCode, granted: r.big(), investmentId: r.optStr(), expiresAt: r.optStr() };
      this.grants.set(grant.grantId, grant);
    }
    for (let n = r.count(); n > 0; n--) {
      const invoice: InvoiceInfo = { invoiceId: r.str(), providerId: r.str(), customerId: r.str(), currency: r.str() as CurrencyCode, billed: r.big(), commitmentId: r.optStr() };
      this.invoices.set(invoice.invoiceId, invoice);
    }
    for (let n = r.count(); n > 0; n--) {
      const commitment: CommitmentInfo = { commitmentId: r.str(), customerId: r.str(), providerId: r.str(), currency: r.str() as CurrencyCode, amount: r.big(), startsAt: r.str(), endsAt: r.str(), signedKey: r.str() };
      this.commitments.set(commitment.commitmentId, commitment);
    }
    for (let n = r.count(); n > 0; n--) {
      const customer = r.str();
      const list: CommitmentInfo[] = [];
      for (let m = r.count(); m > 0; m--) {
        const id = r.str();
        const commitment = this.commitments.get(id);
        if (!commitment) throw new Error(`snapshot lists commitment ${id} it does not hold`);
        list.push(commitment);
      }
      this.commitmentsByCustomer.set(customer, list);
    }
  }
}
