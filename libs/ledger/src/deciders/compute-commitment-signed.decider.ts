import { CapflowEventOf, RejectionCode } from '@capflow/contracts';
import { Decider, partyProblem, refuse } from './decision-context';

export const decideComputeCommitmentSigned: Decider<CapflowEventOf<'ComputeCommitmentSigned'>> = ({ data }, state) => {
  if (state.commitments.has(data.commitmentId)) {
    return refuse(RejectionCode.DuplicateId, `data.commitmentId: commitment ${JSON.stringify(data.commitmentId)} already exists`);
  }
  const problem = partyProblem(state, data.customerId, 'customerId') ?? partyProblem(state, data.providerId, 'providerId');
  if (problem) return problem;
  if (data.customerId === data.providerId) {
    return refuse(RejectionCode.InvalidRelationship, 'customerId and providerId are the same party');
  }
  return null;
};
