import { CapflowEvent, eventKey, EventType, Rejection } from '@capflow/contracts';
import { decideComputeCommitmentSigned } from './deciders/compute-commitment-signed.decider';
import { decideComputeCreditsGranted } from './deciders/compute-credits-granted.decider';
import { decideCreditsExpired } from './deciders/credits-expired.decider';
import { Decider, DecisionContext } from './deciders/decision-context';
import { decideEventReversed } from './deciders/event-reversed.decider';
import { decideInvestmentCommitted } from './deciders/investment-committed.decider';
import { decideInvestmentFunded } from './deciders/investment-funded.decider';
import { decideInvoiceSettled } from './deciders/invoice-settled.decider';
import { decideOpeningBalanceRecorded } from './deciders/opening-balance-recorded.decider';
import { decidePartyRegistered } from './deciders/party-registered.decider';
import { decidePaymentMade } from './deciders/payment-made.decider';
import { decideUsageBilled } from './deciders/usage-billed.decider';
import { LedgerState } from './state/ledger-state';
import { entityStreamOf } from './streams';

const DECIDERS: { [T in EventType]: Decider<Extract<CapflowEvent, { type: T }>> } = {
  PartyRegistered: decidePartyRegistered,
  OpeningBalanceRecorded: decideOpeningBalanceRecorded,
  InvestmentCommitted: decideInvestmentCommitted,
  InvestmentFunded: decideInvestmentFunded,
  ComputeCreditsGranted: decideComputeCreditsGranted,
  ComputeCommitmentSigned: decideComputeCommitmentSigned,
  UsageBilled: decideUsageBilled,
  InvoiceSettled: decideInvoiceSettled,
  PaymentMade: decidePaymentMade,
  CreditsExpired: decideCreditsExpired,
  EventReversed: decideEventReversed,
};

export type Decision = { accepted: true; streamId: string } | { accepted: false; rejection: Rejection };

/**
 * The business rules (step 4 of the contract's order) and occurred_before_reference (step 5)
 * for one fact whose shape and eventId have already been checked. Pure: reads the state, changes nothing.
 */
export function decide(state: LedgerState, event: CapflowEvent, context: DecisionContext): Decision {
  const rejection = (DECIDERS[event.type] as Decider<CapflowEvent>)(event, state, context);
  if (rejection) return { accepted: false, rejection };
  const streamId =
    event.type === 'EventReversed'
      ? context.findAccepted(eventKey(event.data.reversedEventId))!.streamId
      : entityStreamOf(event);
  return { accepted: true, streamId };
}
