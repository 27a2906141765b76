/** The entity each type of fact is about: its stream's kind and the field holding its id (libs/ledger streams). */
const ENTITY: Record<string, [kind: string, field: string]> = {
  PartyRegistered: ['party', 'partyId'],
  OpeningBalanceRecorded: ['party', 'partyId'],
  InvestmentCommitted: ['investment', 'investmentId'],
  InvestmentFunded: ['investment', 'investmentId'],
  ComputeCreditsGranted: ['grant', 'grantId'],
  CreditsExpired: ['grant', 'grantId'],
  ComputeCommitmentSigned: ['commitment', 'commitmentId'],
  UsageBilled: ['invoice', 'invoiceId'],
  InvoiceSettled: ['invoice', 'invoiceId'],
  PaymentMade: ['payment', 'paymentId'],
};

/**
 * The key a finance system gives a fact on the input topic (DESIGN.md): the entity it is about,
 * named like its stream (`invoice-INV-1`), so every fact of one invoice, payment, investment or
 * grant lands on one partition, in order. A reversal goes with the fact it reverses when that fact's
 * key is known (`keysById`, filled as facts are keyed), else with the reversed eventId.
 * Records that are not an envelope get no key: they are bound for the dead-letter topic anyway.
 */
export function messageKeyOf(value: Buffer | string, keysById?: Map<string, string>): string | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof value === 'string' ? value : value.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof parsed !== 'object' || parsed === null) return null;
  const { eventId, type, data } = parsed as { eventId?: unknown; type?: unknown; data?: Record<string, unknown> };
  if (typeof type !== 'string' || typeof data !== 'object' || data === null) return null;
  let key: string | null = null;
  if (type === 'EventReversed') {
    const target = nonEmpty(data.reversedEventId)?.toLowerCase();
    key = target ? (keysById?.get(target) ?? `event-${target}`) : null;
  } else if (Object.hasOwn(ENTITY, type)) {
    const [kind, field] = ENTITY[type];
    const id = nonEmpty(data[field]);
    key = id ? `${kind}-${id}` : null;
  }
  if (key && keysById && typeof eventId === 'string') keysById.set(eventId.toLowerCase(), key);
  return key;
}

const nonEmpty = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);
