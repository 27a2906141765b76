/** Every event type of the contract, in the order EVENTS.md lists them. */
export const EVENT_TYPES = [
  'PartyRegistered',
  'OpeningBalanceRecorded',
  'InvestmentCommitted',
  'InvestmentFunded',
  'ComputeCreditsGranted',
  'ComputeCommitmentSigned',
  'UsageBilled',
  'InvoiceSettled',
  'PaymentMade',
  'CreditsExpired',
  'EventReversed',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && (EVENT_TYPES as readonly string[]).includes(value);
}

/** The event types a reversal may target (EVENTS.md, EventReversed). */
export const REVERSIBLE_EVENT_TYPES: readonly EventType[] = [
  'OpeningBalanceRecorded',
  'InvestmentFunded',
  'InvoiceSettled',
  'PaymentMade',
  'CreditsExpired',
];

export const PARTY_KINDS = ['investor', 'ai_lab', 'cloud_provider', 'chipmaker', 'other'] as const;
export type PartyKind = (typeof PARTY_KINDS)[number];

export const INSTRUMENTS = ['equity', 'convertible_note', 'safe', 'warrant', 'loan', 'other'] as const;
export type Instrument = (typeof INSTRUMENTS)[number];

export const SETTLEMENT_METHODS = ['cash', 'credits'] as const;
export type SettlementMethod = (typeof SETTLEMENT_METHODS)[number];

export const PAYMENT_PURPOSES = ['compute', 'hardware', 'services', 'other'] as const;
export type PaymentPurpose = (typeof PAYMENT_PURPOSES)[number];
