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

/** A projection's digest, which its checkpoint holds: of its documents by name. */
export function documentsDigest(documents: ReadonlyMap<string, unknown>): string {
  return digestOfCanonical(new Map([...documents].map(([name, body]) => [name, canonicalJson(body)])));
}

/**
 * The same digest from each document's canonical JSON: digestOf of the object of them, without
 * serialising a document twice when each one's own digest is wanted too (see ReconciledReadModels).
 */
export function digestOfCanonical(texts: ReadonlyMap<string, string>): string {
  const hash = createHash('sha256').update('{');
  [...texts.keys()].sort().forEach((name, index) => hash.update(`${index > 0 ? ',' : ''}${JSON.stringify(name)}:${texts.get(name)!}`));
  return hash.update('}').digest('hex');
}

/** The SHA-256 of bytes as stored (a snapshot's, a frame's JSON text), hex. */
export function bytesDigest(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}
