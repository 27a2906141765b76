import { hash } from 'node:crypto';
import type { ChainRecord } from './event-store.port';

/** The predecessor of position 1. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * hash(n) = SHA-256(hash(n−1) ‖ the row's fields ‖ data ‖ metadata), hex. Data and metadata
 * are hashed as the exact text stored, so verifying needs no re-serialisation
 * and any change to a stored byte shows.
 */
export function chainHash(previousHash: string, record: Omit<ChainRecord, 'hash' | 'occurredKey'>): string {
  const fields = JSON.stringify([
    record.position,
    record.eventId,
    record.streamId,
    record.streamVersion,
    record.type,
    record.schemaVersion,
    record.occurredAt,
    record.recordedAt,
    record.source,
  ]);
  return hash('sha256', `${previousHash}\n${fields}\n${record.dataText}\n${record.metadataText ?? 'null'}`, 'hex');
}
