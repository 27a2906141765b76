import { CapflowEventOf, RejectionCode } from '@capflow/contracts';
import { currencyProblem, Decider, occurredBeforeProblem, partyProblem, refuse } from './decision-context';

export const decideUsageBilled: Decider<CapflowEventOf<'UsageBilled'>> = ({ data }, state, context) => {
  if (state.invoices.has(data.invoiceId)) {
    return refuse(RejectionCode.DuplicateId, `data.invoiceId: invoice ${JSON.stringify(data.invoiceId)} already exists`);
  }
  const problem = partyProblem(state, data.providerId, 'providerId') ?? partyProblem(state, data.customerId, 'customerId');
  if (problem) return problem;
  if (data.providerId === data.customerId) {
    return refuse(RejectionCode.InvalidRelationship, 'providerId and customerId are the same party');
  }
  if (data.commitmentId === undefined) return null;

  const commitment = state.commitments.get(data.commitmentId);
  if (!commitment) {
    return refuse(RejectionCode.UnknownReference, `data.commitmentId: commitment ${JSON.stringify(data.commitmentId)} does not exist`);
  }
  if (commitment.providerId !== data.providerId || commitment.customerId !== data.customerId) {
    return refuse(
      RejectionCode.InvalidRelationship,
      `commitment ${JSON.stringify(data.commitmentId)} is between provider ${JSON.stringify(commitment.providerId)} ` +
        `and customer ${JSON.stringify(commitment.customerId)}, not this bill's parties`,
    );
  }
  const mismatch = currencyProblem('amount.currency', data.amount.currency, commitment.currency, 'the commitment');
  if (mismatch) return mismatch;
  return occurredBeforeProblem(context, [[commitment.signedAt, `commitment ${JSON.stringify(data.commitmentId)}`]]);
};
