import { CapflowEvent } from '@capflow/contracts';

/** The kinds of entity a stream is about: a stream is named `<kind>-<id>` (DESIGN.md). */
export const STREAM_KINDS = ['party', 'investment', 'grant', 'commitment', 'invoice', 'payment'] as const;

export const invoiceStreamId = (invoiceId: string) => `invoice-${invoiceId}`;
export const paymentStreamId = (paymentId: string) => `payment-${paymentId}`;

/**
 * The stream a fact belongs to (DESIGN.md): `<kind>-<id>` of the entity it is about.
 * EventReversed goes to the stream of the event it reverses, so it is not named here.
 */
export function entityStreamOf(event: Exclude<CapflowEvent, { type: 'EventReversed' }>): string {
  switch (event.type) {
    case 'PartyRegistered':
    case 'OpeningBalanceRecorded':
      return `party-${event.data.partyId}`;
    case 'InvestmentCommitted':
    case 'InvestmentFunded':
      return `investment-${event.data.investmentId}`;
    case 'ComputeCreditsGranted':
    case 'CreditsExpired':
      return `grant-${event.data.grantId}`;
    case 'ComputeCommitmentSigned':
      return `commitment-${event.data.commitmentId}`;
    case 'UsageBilled':
    case 'InvoiceSettled':
      return invoiceStreamId(event.data.invoiceId);
    case 'PaymentMade':
      return paymentStreamId(event.data.paymentId);
  }
}
