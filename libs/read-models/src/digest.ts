import { canonicalJson } from '@capflow/contracts';
import { createHash } from 'node:crypto';

export const EMPTY_DIGEST = '0'.repeat(64);

export function digestOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

/** An append-only projection's digest: each row chained to the digest before it. */
export function chainDigest(previous: string, row: unknown): string {
  return createHash('sha256').update(previous).update('\n').update(canonicalJson(row)).digest('hex');
}

/** One digest for a set of projections, in their fixed order. */
export function combinedDigest(digests: ReadonlyMap<string, string>): string {
  return createHash('sha256')
    .update([...digests].map(([projection, digest]) => `${projection} ${digest}`).join('\n'))
    .digest('hex');
}
