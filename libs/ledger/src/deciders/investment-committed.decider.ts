import { CapflowEventOf, RejectionCode } from '@capflow/contracts';
import { Decider, partyProblem, refuse } from './decision-context';

export const decideInvestmentCommitted: Decider<CapflowEventOf<'InvestmentCommitted'>> = ({ data }, state) => {
  if (state.investments.has(data.investmentId)) {
    return refuse(RejectionCode.DuplicateId, `data.investmentId: investment ${JSON.stringify(data.investmentId)} already exists`);
  }
  const problem = partyProblem(state, data.investorId, 'investorId') ?? partyProblem(state, data.investeeId, 'investeeId');
  if (problem) return problem;
  const investorGroup = state.parties.get(data.investorId)!.group;
  if (investorGroup === state.parties.get(data.investeeId)!.group) {
    return refuse(
      RejectionCode.InvalidRelationship,
      `investor and investee are both in group ${JSON.stringify(investorGroup)}: an investment must cross groups`,
    );
  }
  return null;
};
