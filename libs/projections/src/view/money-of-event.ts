import type { CapflowEvent } from '@capflow/contracts';
import { Money, parseAmount } from '@capflow/ledger';

/** The amount a fact moves, in minor units; null for facts without one. */
export function moneyOfEvent(event: CapflowEvent): Money | null {
  const amount = (event.data as { amount?: { amount: string; currency: Money['currency'] } }).amount;
  if (!amount || event.type === 'InvestmentCommitted' || event.type === 'ComputeCommitmentSigned') return null;
  return { minor: parseAmount(amount.amount, amount.currency), currency: amount.currency };
}
