/** The chart of accounts of EVENTS.md: every party has each, per currency. */
export const DEBIT_NORMAL_ACCOUNTS = [
  'cash',
  'compute_credits',
  'investments',
  'receivables',
  'compute_expense',
  'other_expense',
  'credit_grants',
  'credits_forfeited',
] as const;

export const CREDIT_NORMAL_ACCOUNTS = [
  'payables',
  'credits_outstanding',
  'contributed_capital',
  'opening_equity',
  'compute_revenue',
  'other_revenue',
  'credit_income',
] as const;

export type Account = (typeof DEBIT_NORMAL_ACCOUNTS)[number] | (typeof CREDIT_NORMAL_ACCOUNTS)[number];

const DEBIT_NORMAL = new Set<string>(DEBIT_NORMAL_ACCOUNTS);

export function isDebitNormal(account: Account): boolean {
  return DEBIT_NORMAL.has(account);
}

/** One line of a double entry: this party's account is debited (or credited) by amount. */
export interface Posting {
  partyId: string;
  debit: Account;
  credit: Account;
}
