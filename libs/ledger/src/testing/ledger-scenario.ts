import { CapflowEvent, CapflowEventOf, CurrencyCode, EventDataByType, EventType, eventKey, instantKey, Rejection } from '@capflow/contracts';
import { decide, Decision } from '../decide';
import type { AcceptedEvent } from '../deciders/decision-context';
import { evolve } from '../evolve';
import { LedgerState } from '../state/ledger-state';

/**
 * Given/when/then for the deciders: `given` facts are applied as accepted ones (no checks),
 * `when` decides one more against them. Test-only; not exported from the lib.
 */
let counter = 0;

export function fact<T extends EventType>(type: T, data: EventDataByType[T], occurredAt = '2025-11-01T09:00:00Z'): CapflowEventOf<T> {
  counter += 1;
  const eventId = `00000000-0000-4000-8000-${counter.toString(16).padStart(12, '0')}`;
  return { eventId, type, schemaVersion: 1, occurredAt, source: 'test', data } as CapflowEventOf<T>;
}

export type TestMoney = { amount: string; currency: CurrencyCode };
export const usd = (amount: string): TestMoney => ({ amount, currency: 'USD' });
export const eur = (amount: string): TestMoney => ({ amount, currency: 'EUR' });

export class LedgerScenario {
  readonly state = new LedgerState();
  private readonly accepted = new Map<string, AcceptedEvent>();

  static given(...events: CapflowEvent[]): LedgerScenario {
    const scenario = new LedgerScenario();
    for (const event of events) scenario.apply(event);
    return scenario;
  }

  /** Decides `event`; accepted ones are applied, so a scenario can go on. */
  when(event: CapflowEvent): Decision {
    const decision = decide(this.state, event, {
      occurredAt: instantKey(event.occurredAt),
      findAccepted: (key) => this.accepted.get(key),
    });
    if (decision.accepted) this.apply(event, decision.streamId);
    return decision;
  }

  rejectionOf(event: CapflowEvent): Rejection | null {
    const decision = this.when(event);
    return decision.accepted ? null : decision.rejection;
  }

  private apply(event: CapflowEvent, streamId = 'given'): void {
    const target =
      event.type === 'EventReversed' ? this.accepted.get(eventKey(event.data.reversedEventId))?.event : undefined;
    evolve(this.state, event, target);
    this.accepted.set(eventKey(event.eventId), { event, streamId });
  }
}

/** The parties most scenarios start from: amazon ← aws, openai, nvidia. */
export function registry(): CapflowEvent[] {
  return [
    fact('PartyRegistered', { partyId: 'amazon', name: 'Amazon', kind: 'investor' }),
    fact('PartyRegistered', { partyId: 'aws', name: 'AWS', kind: 'cloud_provider', parentId: 'amazon' }),
    fact('PartyRegistered', { partyId: 'openai', name: 'OpenAI', kind: 'ai_lab' }),
    fact('PartyRegistered', { partyId: 'nvidia', name: 'NVIDIA', kind: 'chipmaker' }),
  ];
}
