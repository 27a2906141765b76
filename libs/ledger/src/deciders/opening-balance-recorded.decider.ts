import { CapflowEventOf } from '@capflow/contracts';
import { Decider, partyProblem } from './decision-context';

export const decideOpeningBalanceRecorded: Decider<CapflowEventOf<'OpeningBalanceRecorded'>> = ({ data }, state) =>
  partyProblem(state, data.partyId, 'partyId');
