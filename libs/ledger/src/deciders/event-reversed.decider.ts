import { CapflowEventOf, eventKey, RejectionCode, REVERSIBLE_EVENT_TYPES } from '@capflow/contracts';
import { Decider, refuse } from './decision-context';

export const decideEventReversed: Decider<CapflowEventOf<'EventReversed'>> = ({ data }, state, context) => {
  const key = eventKey(data.reversedEventId);
  const target = context.findAccepted(key);
  if (!target) {
    return refuse(RejectionCode.UnknownReference, `data.reversedEventId: no accepted event ${data.reversedEventId}`);
  }
  if (!REVERSIBLE_EVENT_TYPES.includes(target.event.type)) {
    return refuse(RejectionCode.InvalidRelationship, `a ${target.event.type} cannot be reversed`);
  }
  if (state.reversed.has(key)) {
    return refuse(RejectionCode.InvalidRelationship, `event ${data.reversedEventId} is already reversed`);
  }
  return null;
};
