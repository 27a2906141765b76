import { CapflowEventOf, RejectionCode } from '@capflow/contracts';
import { formatAmount, parseAmount } from '../money/money';
import { scopedId } from '../state/ledger-state';
import { currencyProblem, Decider, occurredBeforeProblem, refuse } from './decision-context';

export const decideInvestmentFunded: Decider<CapflowEventOf<'InvestmentFunded'>> = ({ data }, state, context) => {
  const investment = state.investments.get(data.investmentId);
  if (!investment) {
    return refuse(RejectionCode.UnknownReference, `data.investmentId: investment ${JSON.stringify(data.investmentId)} does not exist`);
  }
  if (state.tranches.has(scopedId(data.investmentId, data.trancheId))) {
    return refuse(
      RejectionCode.DuplicateId,
      `data.trancheId: tranche ${JSON.stringify(data.trancheId)} of investment ${JSON.stringify(data.investmentId)} already exists`,
    );
  }
  const mismatch = currencyProblem('amount.currency', data.amount.currency, investment.currency, 'the investment');
  if (mismatch) return mismatch;
  const amount = parseAmount(data.amount.amount, data.amount.currency);
  if (investment.funded + amount > investment.committed) {
    return refuse(
      RejectionCode.LimitExceeded,
      `funding ${data.amount.amount} would bring investment ${JSON.stringify(data.investmentId)} to ` +
        `${formatAmount(investment.funded + amount, investment.currency)} funded (cash and credits), ` +
        `above the ${formatAmount(investment.committed, investment.currency)} committed`,
    );
  }
  return occurredBeforeProblem(context, [[investment.committedAt, `investment ${JSON.stringify(data.investmentId)}`]]);
};
