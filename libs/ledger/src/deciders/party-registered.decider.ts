import { CapflowEventOf, RejectionCode } from '@capflow/contracts';
import { Decider, refuse } from './decision-context';

export const decidePartyRegistered: Decider<CapflowEventOf<'PartyRegistered'>> = ({ data }, state) => {
  if (state.parties.has(data.partyId)) {
    return refuse(RejectionCode.DuplicateId, `data.partyId: party ${JSON.stringify(data.partyId)} is already registered`);
  }
  if (data.parentId !== undefined && !state.parties.has(data.parentId)) {
    return refuse(RejectionCode.UnknownReference, `data.parentId: party ${JSON.stringify(data.parentId)} is not registered`);
  }
  return null;
};
