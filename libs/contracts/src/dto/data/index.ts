import { EventType } from '../../event-type';
import { ComputeCommitmentSignedDto } from './compute-commitment-signed.dto';
import { ComputeCreditsGrantedDto } from './compute-credits-granted.dto';
import { CreditsExpiredDto } from './credits-expired.dto';
import { EventReversedDto } from './event-reversed.dto';
import { InvestmentCommittedDto } from './investment-committed.dto';
import { InvestmentFundedDto } from './investment-funded.dto';
import { InvoiceSettledDto } from './invoice-settled.dto';
import { OpeningBalanceRecordedDto } from './opening-balance-recorded.dto';
import { PartyRegisteredDto } from './party-registered.dto';
import { PaymentMadeDto } from './payment-made.dto';
import { UsageBilledDto } from './usage-billed.dto';

export {
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
};

/** The data DTO of each event type. */
export const DATA_DTO_BY_TYPE = {
  PartyRegistered: PartyRegisteredDto,
  OpeningBalanceRecorded: OpeningBalanceRecordedDto,
  InvestmentCommitted: InvestmentCommittedDto,
  InvestmentFunded: InvestmentFundedDto,
  ComputeCreditsGranted: ComputeCreditsGrantedDto,
  ComputeCommitmentSigned: ComputeCommitmentSignedDto,
  UsageBilled: UsageBilledDto,
  InvoiceSettled: InvoiceSettledDto,
  PaymentMade: PaymentMadeDto,
  CreditsExpired: CreditsExpiredDto,
  EventReversed: EventReversedDto,
} as const satisfies Record<EventType, new () => object>;
