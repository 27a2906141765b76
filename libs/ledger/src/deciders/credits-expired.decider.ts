import { CapflowEventOf, RejectionCode } from '@capflow/contracts';
import { formatAmount, parseAmount } from '../money/money';
import { currencyProblem, Decider, occurredBeforeProblem, refuse } from './decision-context';

export const decideCreditsExpired: Decider<CapflowEventOf<'CreditsExpired'>> = ({ data }, state, context) => {
  const grant = state.grants.get(data.grantId);
  if (!grant) return refuse(RejectionCode.UnknownReference, `data.grantId: grant ${JSON.stringify(data.grantId)} does not exist`);
  const mismatch = currencyProblem('amount.currency', data.amount.currency, grant.currency, 'the grant');
  if (mismatch) return mismatch;
  const remaining = grant.granted - grant.used;
  if (parseAmount(data.amount.amount, data.amount.currency) > remaining) {
    return refuse(
      RejectionCode.LimitExceeded,
      `grant ${JSON.stringify(data.grantId)} has ${formatAmount(remaining, grant.currency)} remaining, less than ${data.amount.amount}`,
    );
  }
  return occurredBeforeProblem(context, [[grant.grantedAt, `grant ${JSON.stringify(data.grantId)}`]]);
};
