import type { Restatement, SnapshotMark } from '@capflow/projections';

/** The read models capflow keeps beside the log, each rebuilt on its own with `replay --projection`. */
export const PROJECTIONS = ['balances', 'round-trips', 'commitments', 'credits', 'flows', 'restatements'] as const;
export type ProjectionName = (typeof PROJECTIONS)[number];

/** A snapshot as stored: its bytes, and the SHA-256 the projector wrote beside them (null: stored before digests were kept). */
export interface StoredSnapshot {
  body: Buffer;
  digest: string | null;
}

/** A snapshot frame as stored: its JSON text (the digest is of these bytes) and the digest beside it. */
export interface StoredFrame {
  text: string;
  digest: string | null;
}

export function isProjectionName(name: string): name is ProjectionName {
  return (PROJECTIONS as readonly string[]).includes(name);
}

/** Where a projection stands: the generation served, the last position applied, the digest of its content. */
export interface ProjectionState {
  generation: number;
  position: number;
  digest: string;
}

/** What one flush writes for one projection, with its checkpoint, in the same transaction as the rest. */
export interface ProjectionWrite {
  projection: ProjectionName;
  generation: number;
  position: number;
  digest: string;
  /** Report documents replacing the generation's ones (by name). */
  documents?: ReadonlyMap<string, unknown>;
  /** Restatements appended to the generation. */
  restatements?: readonly Restatement[];
}

/**
 * A party's registration or a reversal, as much of it as a view's frame needs (its groups and
 * the events it leaves out): [position, 'PartyRegistered', partyId, parentId | null] or
 * [position, 'EventReversed', reversedEventId, null].
 */
export type FrameEvent = [position: number, type: 'PartyRegistered' | 'EventReversed', id: string, parentId: string | null];

/** A restatement row as stored, its body unparsed: what verify compares with the log. */
export interface StoredRestatement {
  position: number;
  /** The business-time index the occurredTo filter reads. */
  occurredKey: string;
  body: string;
}

export interface RestatementFilter {
  /** Positions up to this one (what was known then). */
  toPosition?: number;
  /** Restatements from a business time at or before this instant key. */
  occurredTo?: string;
  limit?: number;
}

/**
 * Read models beside the event store, in the same database. A rebuild writes a new generation
 * while readers keep reading the active one, then switches in one transaction.
 */
export interface ReadModelStore {
  /** The active generation of each projection that has one. */
  states(): Promise<Map<ProjectionName, ProjectionState>>;
  /** A fresh generation number for a rebuild of `projection` (leftovers of a crashed rebuild are removed). */
  newGeneration(projection: ProjectionName): Promise<number>;
  /** Writes documents, restatements and checkpoints in one transaction. */
  flush(writes: readonly ProjectionWrite[]): Promise<void>;
  /** Makes `generation` the one served, and drops the others, in one transaction. */
  activate(projection: ProjectionName, generation: number): Promise<void>;
  /** A report document of the active generation. */
  document(projection: ProjectionName, name: string): Promise<unknown | null>;
  /** Every document of the active generation of `projection`, by name, as stored (JSON text). */
  documentTexts(projection: ProjectionName): Promise<Map<string, string>>;
  /** Restatements of the active generation, in position order. */
  restatements(filter?: RestatementFilter): Promise<Restatement[]>;
  /** Rows of the active restatements after position `after`, in position order, as stored. */
  restatementRows(after: number, limit: number): Promise<StoredRestatement[]>;
  /** Where the snapshots of `format` are (each one is whole and valid on its own: see SnapshotMark). */
  snapshotMarks(format: string): Promise<SnapshotMark[]>;
  /** One snapshot's bytes and digest; null if it is gone (a replay replaced it). */
  snapshot(format: string, mark: SnapshotMark): Promise<StoredSnapshot | null>;
  /** Stores one snapshot, with the digest of its bytes. */
  addSnapshot(format: string, mark: SnapshotMark, body: Buffer): Promise<void>;
  /** The registrations and reversals known to the pass that took the snapshots at `builtAt` (see FrameEvent), and their digest. */
  snapshotFrame(format: string, builtAt: number): Promise<StoredFrame | null>;
  addSnapshotFrame(format: string, builtAt: number, events: readonly FrameEvent[]): Promise<void>;
  /** Drops every snapshot (of any format): a replay makes them again. */
  clearSnapshots(): Promise<void>;
  close(): Promise<void>;
}
