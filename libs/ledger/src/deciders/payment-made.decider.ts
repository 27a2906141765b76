import { CapflowEventOf, RejectionCode } from '@capflow/contracts';
import { Decider, partyProblem, refuse } from './decision-context';

export const decidePaymentMade: Decider<CapflowEventOf<'PaymentMade'>> = ({ data }, state) => {
  if (state.payments.has(data.paymentId)) {
    return refuse(RejectionCode.DuplicateId, `data.paymentId: payment ${JSON.stringify(data.paymentId)} already exists`);
  }
  const problem = partyProblem(state, data.payerId, 'payerId') ?? partyProblem(state, data.payeeId, 'payeeId');
  if (problem) return problem;
  if (data.payerId === data.payeeId) return refuse(RejectionCode.InvalidRelationship, 'payerId and payeeId are the same party');
  return null;
};
