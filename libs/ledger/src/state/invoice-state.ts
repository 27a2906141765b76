import { CapflowEvent, eventKey, instantKey } from '@capflow/contracts';
import { parseAmount } from '../money/money';
import type { InvoiceState } from './ledger-state';

/**
 * An invoice's decision state from its stream (`invoice-<id>`: the bill, its settlements and
 * the reversals of those, in order), or undefined when the invoice was never billed.
 */
export function invoiceStateOf(stream: readonly CapflowEvent[]): InvoiceState | undefined {
  const bill = stream.find((event) => event.type === 'UsageBilled');
  if (!bill || bill.type !== 'UsageBilled') return undefined;
  const state: InvoiceState = {
    providerId: bill.data.providerId,
    customerId: bill.data.customerId,
    currency: bill.data.amount.currency,
    billed: parseAmount(bill.data.amount.amount, bill.data.amount.currency),
    settled: 0n,
    billedAt: instantKey(bill.occurredAt),
    settlementIds: new Set(),
  };
  const settled = new Map<string, bigint>();
  for (const event of stream) {
    if (event.type === 'InvoiceSettled') {
      const amount = parseAmount(event.data.amount.amount, event.data.amount.currency);
      state.settlementIds.add(event.data.settlementId);
      state.settled += amount;
      settled.set(eventKey(event.eventId), amount);
    } else if (event.type === 'EventReversed') {
      state.settled -= settled.get(eventKey(event.data.reversedEventId)) ?? 0n;
    }
  }
  return state;
}
