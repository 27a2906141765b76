import { instantKey, parseEvent, ParseOutcome, readAcceptedEvent, Rejection, rememberInstantKey } from '@capflow/contracts';

/** Turns a batch's raw facts into parse outcomes, in order: on this thread, or on another. */
export interface EventParser {
  parse(inputs: readonly (Uint8Array | string)[]): ParseOutcome[] | Promise<ParseOutcome[]>;
  close(): Promise<void>;
}

/** parseEvent on this thread. */
export class InThreadEventParser implements EventParser {
  parse(inputs: readonly (Uint8Array | string)[]): ParseOutcome[] {
    return inputs.map((input) => parseEvent(input));
  }

  async close(): Promise<void> {}
}

/**
 * What a parsing thread says of one input: when parseEvent accepted it, the instant key of its
 * occurredAt (which the deciding thread would otherwise parse again); else its refusal.
 */
export type ParseVerdict = { accepted: string } | { rejection: Rejection; eventId: string | null };

export function verdictOf(outcome: ParseOutcome): ParseVerdict {
  return outcome.ok ? { accepted: instantKey(outcome.event.occurredAt) } : { rejection: outcome.rejection, eventId: outcome.eventId };
}

/**
 * The outcomes of inputs that another thread judged with parseEvent: refusals as it gave them, and
 * accepted inputs read here without judging them again (the checks are most of parseEvent's cost;
 * reading the JSON must happen on the thread that decides), their occurredAt keyed as it keyed them.
 */
export function outcomesOf(inputs: readonly (Uint8Array | string)[], verdicts: readonly ParseVerdict[]): ParseOutcome[] {
  if (verdicts.length !== inputs.length) throw new Error(`the parsing thread answered ${verdicts.length} of ${inputs.length} inputs`);
  return inputs.map((input, index) => {
    const verdict = verdicts[index];
    if ('rejection' in verdict) return { ok: false, rejection: verdict.rejection, eventId: verdict.eventId };
    const event = readAcceptedEvent(input);
    rememberInstantKey(event.occurredAt, verdict.accepted);
    return { ok: true, event };
  });
}
