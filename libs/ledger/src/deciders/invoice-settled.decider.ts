import { CapflowEventOf, RejectionCode } from '@capflow/contracts';
import { formatAmount, parseAmount } from '../money/money';
import { currencyProblem, Decider, occurredBeforeProblem, refuse } from './decision-context';

export const decideInvoiceSettled: Decider<CapflowEventOf<'InvoiceSettled'>> = ({ data }, state, context) => {
  const invoice = state.invoices.get(data.invoiceId);
  if (!invoice) {
    return refuse(RejectionCode.UnknownReference, `data.invoiceId: invoice ${JSON.stringify(data.invoiceId)} does not exist`);
  }
  if (invoice.settlementIds.has(data.settlementId)) {
    return refuse(
      RejectionCode.DuplicateId,
      `data.settlementId: settlement ${JSON.stringify(data.settlementId)} of invoice ${JSON.stringify(data.invoiceId)} already exists`,
    );
  }
  const mismatch = currencyProblem('amount.currency', data.amount.currency, invoice.currency, 'the invoice');
  if (mismatch) return mismatch;
  const amount = parseAmount(data.amount.amount, data.amount.currency);
  if (invoice.settled + amount > invoice.billed) {
    return refuse(
      RejectionCode.LimitExceeded,
      `settling ${data.amount.amount} would bring invoice ${JSON.stringify(data.invoiceId)} to ` +
        `${formatAmount(invoice.settled + amount, invoice.currency)} settled, above the ${formatAmount(invoice.billed, invoice.currency)} billed`,
    );
  }
  const references: [string, string][] = [[invoice.billedAt, `invoice ${JSON.stringify(data.invoiceId)}`]];
  if (data.method === 'credits') {
    const grantId = data.grantId!;
    const grant = state.grants.get(grantId);
    if (!grant) return refuse(RejectionCode.UnknownReference, `data.grantId: grant ${JSON.stringify(grantId)} does not exist`);
    if (grant.providerId !== invoice.providerId || grant.recipientId !== invoice.customerId) {
      return refuse(
        RejectionCode.InvalidRelationship,
        `grant ${JSON.stringify(grantId)} is from ${JSON.stringify(grant.providerId)} to ${JSON.stringify(grant.recipientId)}, ` +
          `but the invoice is from ${JSON.stringify(invoice.providerId)} to ${JSON.stringify(invoice.customerId)}`,
      );
    }
    const grantMismatch = currencyProblem('amount.currency', data.amount.currency, grant.currency, 'the grant');
    if (grantMismatch) return grantMismatch;
    const remaining = grant.granted - grant.used;
    if (amount > remaining) {
      return refuse(
        RejectionCode.LimitExceeded,
        `grant ${JSON.stringify(grantId)} has ${formatAmount(remaining, grant.currency)} remaining, less than ${data.amount.amount}`,
      );
    }
    references.push([grant.grantedAt, `grant ${JSON.stringify(grantId)}`]);
  }
  return occurredBeforeProblem(context, references);
};
