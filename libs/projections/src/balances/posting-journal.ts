import type { CurrencyCode } from '@capflow/contracts';
import { LedgerView } from '../view/ledger-view';
import { moneyOfEvent } from '../view/money-of-event';
import type { ViewEvent } from '../view/view-event';
import type { Account } from './accounts';
import { postingsOf } from './postings';

/** One double entry of a fact: a party's debit and credit of the fact's amount, in its currency. */
export interface JournalEntry {
  partyId: string;
  currency: CurrencyCode;
  debit: Account;
  credit: Account;
  amount: bigint;
}

/**
 * The journal: every fact's double entries (EVENTS.md, "Double-entry postings"), fact by fact in
 * position order, the order in which the ledger accepted them, so whatever a fact refers to (an
 * investment, an invoice, a grant) was registered before it. Reversals are facts without entries:
 * whoever reads the journal leaves out the entries of the facts they reversed.
 */
export class PostingJournal {
  /** Only its registry is used: registrations are what entries need of the facts before them. */
  private readonly view = new LedgerView(new Map());

  entriesOf(viewEvent: ViewEvent): JournalEntry[] {
    this.view.register(viewEvent);
    const money = moneyOfEvent(viewEvent.event);
    if (!money) return [];
    return postingsOf(viewEvent.event, this.view.registry).map(({ partyId, debit, credit }) => ({
      partyId,
      currency: money.currency,
      debit,
      credit,
      amount: money.minor,
    }));
  }
}
