import { CapflowEventOf, RejectionCode } from '@capflow/contracts';
import { formatAmount, parseAmount } from '../money/money';
import { currencyProblem, Decider, occurredBeforeProblem, partyProblem, refuse } from './decision-context';

export const decideComputeCreditsGranted: Decider<CapflowEventOf<'ComputeCreditsGranted'>> = ({ data }, state, context) => {
  if (state.grants.has(data.grantId)) {
    return refuse(RejectionCode.DuplicateId, `data.grantId: grant ${JSON.stringify(data.grantId)} already exists`);
  }
  const problem = partyProblem(state, data.providerId, 'providerId') ?? partyProblem(state, data.recipientId, 'recipientId');
  if (problem) return problem;
  if (data.providerId === data.recipientId) {
    return refuse(RejectionCode.InvalidRelationship, 'providerId and recipientId are the same party');
  }
  if (data.investmentId === undefined) return null;

  const investment = state.investments.get(data.investmentId);
  if (!investment) {
    return refuse(RejectionCode.UnknownReference, `data.investmentId: investment ${JSON.stringify(data.investmentId)} does not exist`);
  }
  const providerGroup = state.parties.get(data.providerId)!.group;
  if (providerGroup !== investment.investorGroup) {
    return refuse(
      RejectionCode.InvalidRelationship,
      `provider ${JSON.stringify(data.providerId)} is in group ${JSON.stringify(providerGroup)}, ` +
        `not in the investor's group ${JSON.stringify(investment.investorGroup)}`,
    );
  }
  if (data.recipientId !== investment.investeeId) {
    return refuse(
      RejectionCode.InvalidRelationship,
      `recipient ${JSON.stringify(data.recipientId)} is not the investee ${JSON.stringify(investment.investeeId)}`,
    );
  }
  const mismatch = currencyProblem('amount.currency', data.amount.currency, investment.currency, 'the investment');
  if (mismatch) return mismatch;
  const amount = parseAmount(data.amount.amount, data.amount.currency);
  if (investment.funded + amount > investment.committed) {
    return refuse(
      RejectionCode.LimitExceeded,
      `granting ${data.amount.amount} would bring investment ${JSON.stringify(data.investmentId)} to ` +
        `${formatAmount(investment.funded + amount, investment.currency)} funded (cash and credits), ` +
        `above the ${formatAmount(investment.committed, investment.currency)} committed`,
    );
  }
  return occurredBeforeProblem(context, [[investment.committedAt, `investment ${JSON.stringify(data.investmentId)}`]]);
};
