import type { CapflowEvent, CurrencyCode } from '@capflow/contracts';
import { formatAmount } from '@capflow/ledger';
import type { Registry } from '../view/registry';
import { Account, isDebitNormal } from './accounts';
import { postingsOf } from './postings';
import type { SnapshotReader, SnapshotWriter } from '../snapshots/snapshot-codec';

export interface PartyBalances {
  partyId: string;
  group: string;
  /** currency → account → amount with its normal sign; zero balances left out. */
  balances: Record<string, Record<string, string>>;
}

export interface BalancesReport {
  asOf: string | null;
  parties: PartyBalances[];
}

/** Every party's accounts per currency, kept as debits minus credits in minor units. */
export class BalancesProjection {
  private readonly ledger = new Map<string, Map<CurrencyCode, Map<Account, bigint>>>();

  snapshot(w: SnapshotWriter): void {
    w.num(this.ledger.size);
    for (const [partyId, currencies] of this.ledger) {
      w.str(partyId);
      w.num(currencies.size);
      for (const [currency, accounts] of currencies) {
        w.str(currency);
        w.amounts(accounts);
      }
    }
  }

  restoreSnapshot(r: SnapshotReader): void {
    for (let n = r.count(); n > 0; n--) {
      const currencies = new Map<CurrencyCode, Map<Account, bigint>>();
      this.ledger.set(r.str(), currencies);
      for (let m = r.count(); m > 0; m--) currencies.set(r.str() as CurrencyCode, r.amounts() as Map<Account, bigint>);
    }
  }

  /** The fact's double entries for `amount` (negative: taken back). */
  post(event: CapflowEvent, registry: Registry, currency: CurrencyCode, amount: bigint): void {
    for (const posting of postingsOf(event, registry)) {
      this.add(posting.partyId, currency, posting.debit, amount);
      this.add(posting.partyId, currency, posting.credit, -amount);
    }
  }

  private add(partyId: string, currency: CurrencyCode, account: Account, amount: bigint): void {
    let currencies = this.ledger.get(partyId);
    if (!currencies) this.ledger.set(partyId, (currencies = new Map()));
    let accounts = currencies.get(currency);
    if (!accounts) currencies.set(currency, (accounts = new Map()));
    accounts.set(account, (accounts.get(account) ?? 0n) + amount);
  }

  /** Balance of one account with its normal sign. */
  balance(partyId: string, currency: CurrencyCode, account: Account): bigint {
    const raw = this.ledger.get(partyId)?.get(currency)?.get(account) ?? 0n;
    return isDebitNormal(account) ? raw : -raw;
  }

  /** Every party's debits equal its credits, in every currency. */
  trialBalanceHolds(): boolean {
    for (const currencies of this.ledger.values()) {
      for (const accounts of currencies.values()) {
        let sum = 0n;
        for (const amount of accounts.values()) sum += amount;
        if (sum !== 0n) return false;
      }
    }
    return true;
  }

  /** Parties listed are those registered in the view, ordered by partyId. */
  report(registeredParties: readonly string[], registry: Registry, asOf: string | null): BalancesReport {
    const parties = [...registeredParties].sort(codePointOrder).map((partyId) => {
      const balances: Record<string, Record<string, string>> = {};
      const currencies = this.ledger.get(partyId);
      for (const currency of [...(currencies?.keys() ?? [])].sort(codePointOrder)) {
        const row: Record<string, string> = {};
        for (const [account, raw] of [...currencies!.get(currency)!].sort(([a], [b]) => codePointOrder(a, b))) {
          if (raw === 0n) continue;
          row[account] = formatAmount(isDebitNormal(account) ? raw : -raw, currency);
        }
        if (Object.keys(row).length > 0) balances[currency] = row;
      }
      return { partyId, group: registry.groupOf(partyId), balances };
    });
    return { asOf, parties };
  }
}

/** Plain string order by code point, as the contract orders ids. */
export function codePointOrder(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
