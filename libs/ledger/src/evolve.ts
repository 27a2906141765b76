import { CapflowEvent, eventKey, instantKey } from '@capflow/contracts';
import { parseAmount } from './money/money';
import { LedgerState, scopedId } from './state/ledger-state';

/**
 * Applies one accepted fact to the state, in ingestion order. It mutates the state in place
 * rather than copying it: the state holds every entity of the ledger, and copying it per event
 * would cost more than deciding. `reversalTarget` is the event an EventReversed reverses.
 */
export function evolve(state: LedgerState, event: CapflowEvent, reversalTarget?: CapflowEvent): void {
  const at = instantKey(event.occurredAt);
  switch (event.type) {
    case 'PartyRegistered': {
      const { partyId, parentId } = event.data;
      const group = parentId === undefined ? partyId : state.parties.get(parentId)!.group;
      state.parties.set(partyId, { group, registeredAt: at });
      return;
    }
    case 'InvestmentCommitted': {
      const { data } = event;
      state.investments.set(data.investmentId, {
        investorId: data.investorId,
        investeeId: data.investeeId,
        investorGroup: state.parties.get(data.investorId)!.group,
        currency: data.amount.currency,
        committed: parseAmount(data.amount.amount, data.amount.currency),
        funded: 0n,
        committedAt: at,
      });
      return;
    }
    case 'InvestmentFunded': {
      const { data } = event;
      state.tranches.add(scopedId(data.investmentId, data.trancheId));
      state.investments.get(data.investmentId)!.funded += parseAmount(data.amount.amount, data.amount.currency);
      return;
    }
    case 'ComputeCreditsGranted': {
      const { data } = event;
      const amount = parseAmount(data.amount.amount, data.amount.currency);
      state.grants.set(data.grantId, {
        providerId: data.providerId,
        recipientId: data.recipientId,
        currency: data.amount.currency,
        granted: amount,
        used: 0n,
        investmentId: data.investmentId,
        grantedAt: at,
      });
      if (data.investmentId !== undefined) state.investments.get(data.investmentId)!.funded += amount;
      return;
    }
    case 'ComputeCommitmentSigned': {
      const { data } = event;
      state.commitments.set(data.commitmentId, {
        customerId: data.customerId,
        providerId: data.providerId,
        currency: data.amount.currency,
        signedAt: at,
      });
      return;
    }
    case 'UsageBilled': {
      const { data } = event;
      state.invoices.set(data.invoiceId, {
        providerId: data.providerId,
        customerId: data.customerId,
        currency: data.amount.currency,
        billed: parseAmount(data.amount.amount, data.amount.currency),
        settled: 0n,
        billedAt: at,
        settlementIds: new Set(),
      });
      return;
    }
    case 'InvoiceSettled': {
      const { data } = event;
      const amount = parseAmount(data.amount.amount, data.amount.currency);
      // An invoice outside the window is left alone: it is loaded whole from its stream when needed.
      const invoice = state.invoices.get(data.invoiceId);
      if (invoice) {
        invoice.settlementIds.add(data.settlementId);
        invoice.settled += amount;
      }
      if (data.method === 'credits') state.grants.get(data.grantId!)!.used += amount;
      return;
    }
    case 'PaymentMade':
      state.payments.add(event.data.paymentId);
      return;
    case 'CreditsExpired': {
      const { data } = event;
      state.grants.get(data.grantId)!.used += parseAmount(data.amount.amount, data.amount.currency);
      return;
    }
    case 'EventReversed':
      if (!reversalTarget) throw new Error(`EventReversed ${event.eventId} needs its target to be applied`);
      undo(state, reversalTarget);
      state.reversed.add(eventKey(event.data.reversedEventId));
      return;
    case 'OpeningBalanceRecorded':
      return;
  }
}

/** A reversal restores what the reversed event consumed; ids it took stay taken. */
function undo(state: LedgerState, target: CapflowEvent): void {
  switch (target.type) {
    case 'InvestmentFunded': {
      const { data } = target;
      state.investments.get(data.investmentId)!.funded -= parseAmount(data.amount.amount, data.amount.currency);
      return;
    }
    case 'InvoiceSettled': {
      const { data } = target;
      const amount = parseAmount(data.amount.amount, data.amount.currency);
      const invoice = state.invoices.get(data.invoiceId);
      if (invoice) invoice.settled -= amount;
      if (data.method === 'credits') state.grants.get(data.grantId!)!.used -= amount;
      return;
    }
    case 'CreditsExpired': {
      const { data } = target;
      state.grants.get(data.grantId)!.used -= parseAmount(data.amount.amount, data.amount.currency);
      return;
    }
    default:
      return; // opening balances and payments consume no limit
  }
}
