export { decide } from './decide';
export type { Decision } from './decide';
export type { AcceptedEvent, DecisionContext } from './deciders/decision-context';
export { evolve } from './evolve';
export { formatAmount, moneyOf, parseAmount } from './money/money';
export type { Money } from './money/money';
export { LedgerState } from './state/ledger-state';
export type { CommitmentState, GrantState, InvestmentState, InvoiceState, PartyState } from './state/ledger-state';
export { entityStreamOf } from './streams';
