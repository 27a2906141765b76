import type {
  ComputeCommitmentSignedDto,
  ComputeCreditsGrantedDto,
  CreditsExpiredDto,
  EventReversedDto,
  InvestmentCommittedDto,
  InvestmentFundedDto,
  InvoiceSettledDto,
  OpeningBalanceRecordedDto,
  PartyRegisteredDto,
  PaymentMadeDto,
  UsageBilledDto,
} from './dto/data';
import type { EventType } from './event-type';

/** The data of each event type, as the DTOs describe it. */
export interface EventDataByType {
  PartyRegistered: PartyRegisteredDto;
  OpeningBalanceRecorded: OpeningBalanceRecordedDto;
  InvestmentCommitted: InvestmentCommittedDto;
  InvestmentFunded: InvestmentFundedDto;
  ComputeCreditsGranted: ComputeCreditsGrantedDto;
  ComputeCommitmentSigned: ComputeCommitmentSignedDto;
  UsageBilled: UsageBilledDto;
  InvoiceSettled: InvoiceSettledDto;
  PaymentMade: PaymentMadeDto;
  CreditsExpired: CreditsExpiredDto;
  EventReversed: EventReversedDto;
}

/** A fact the contract accepts in shape: the envelope with its typed data. */
export interface CapflowEventOf<T extends EventType> {
  eventId: string;
  type: T;
  schemaVersion: 1;
  occurredAt: string;
  source: string;
  data: EventDataByType[T];
}

export type CapflowEvent = { [T in EventType]: CapflowEventOf<T> }[EventType];
