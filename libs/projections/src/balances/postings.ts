import type { CapflowEvent } from '@capflow/contracts';
import type { Registry } from '../view/registry';
import type { Posting } from './accounts';

/**
 * The double entries of a fact (EVENTS.md, "Double-entry postings"): each pair debits one account
 * and credits another of the same party by the event's amount.
 */
export function postingsOf(event: CapflowEvent, registry: Registry): Posting[] {
  switch (event.type) {
    case 'OpeningBalanceRecorded':
      return [{ partyId: event.data.partyId, debit: 'cash', credit: 'opening_equity' }];
    case 'InvestmentFunded': {
      const investment = registry.investments.get(event.data.investmentId)!;
      return [
        { partyId: investment.investorId, debit: 'investments', credit: 'cash' },
        { partyId: investment.investeeId, debit: 'cash', credit: 'contributed_capital' },
      ];
    }
    case 'ComputeCreditsGranted': {
      const { providerId, recipientId, investmentId } = event.data;
      return investmentId === undefined
        ? [
            { partyId: providerId, debit: 'credit_grants', credit: 'credits_outstanding' },
            { partyId: recipientId, debit: 'compute_credits', credit: 'credit_income' },
          ]
        : [
            { partyId: providerId, debit: 'investments', credit: 'credits_outstanding' },
            { partyId: recipientId, debit: 'compute_credits', credit: 'contributed_capital' },
          ];
    }
    case 'UsageBilled':
      return [
        { partyId: event.data.providerId, debit: 'receivables', credit: 'compute_revenue' },
        { partyId: event.data.customerId, debit: 'compute_expense', credit: 'payables' },
      ];
    case 'InvoiceSettled': {
      const invoice = registry.invoices.get(event.data.invoiceId)!;
      return event.data.method === 'cash'
        ? [
            { partyId: invoice.customerId, debit: 'payables', credit: 'cash' },
            { partyId: invoice.providerId, debit: 'cash', credit: 'receivables' },
          ]
        : [
            { partyId: invoice.customerId, debit: 'payables', credit: 'compute_credits' },
            { partyId: invoice.providerId, debit: 'credits_outstanding', credit: 'receivables' },
          ];
    }
    case 'PaymentMade':
      return event.data.purpose === 'compute'
        ? [
            { partyId: event.data.payerId, debit: 'compute_expense', credit: 'cash' },
            { partyId: event.data.payeeId, debit: 'cash', credit: 'compute_revenue' },
          ]
        : [
            { partyId: event.data.payerId, debit: 'other_expense', credit: 'cash' },
            { partyId: event.data.payeeId, debit: 'cash', credit: 'other_revenue' },
          ];
    case 'CreditsExpired': {
      const grant = registry.grants.get(event.data.grantId)!;
      return [
        { partyId: grant.recipientId, debit: 'credits_forfeited', credit: 'compute_credits' },
        { partyId: grant.providerId, debit: 'credits_outstanding', credit: 'credit_income' },
      ];
    }
    default:
      return []; // commitments are off-balance-sheet; registrations and reversals post nothing
  }
}
