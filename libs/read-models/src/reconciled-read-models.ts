import { canonicalJson } from '@capflow/contracts';
import { Restatement, SNAPSHOT_FORMAT, SnapshotMark } from '@capflow/projections';
import { createHash } from 'node:crypto';
import { bytesDigest, chainDigest, digestOf, digestOfCanonical, EMPTY_DIGEST } from './digest';
import { UnreconciledReadModel } from './read-model.errors';
import type {
  FrameEvent,
  ProjectionName,
  ProjectionState,
  ProjectionWrite,
  ReadModelStore,
  RestatementFilter,
  StoredFrame,
  StoredRestatement,
  StoredSnapshot,
} from './read-model.store';

const PAGE = 5000;

/** How a snapshot is named to people: its checkpoint and the pass that took it. */
export function snapshotName(mark: SnapshotMark): string {
  return `snapshot at ${mark.checkpoint.key} position ${mark.checkpoint.position}, built at ${mark.builtAt}`;
}

/** What was found of one state of a projection (its generation, checkpoint and digest). */
interface Reconciliation {
  state: string;
  generation: number;
  position: number;
  /** Why its stored content cannot be reconciled with its digest; null: it can. */
  problem: string | null;
  /** The digest of each document (by name) or restatement (by position) as it was when reconciled. */
  parts: Map<string | number, string>;
  /** Restatements: the chained digest of the rows reconciled, to go on from when the checkpoint moves. */
  chain: string;
}

/**
 * Read models that refuse to answer from content whose digest cannot be reconciled: before a
 * document or restatements are handed out, the projection's stored documents (or restatement
 * rows) must hash to the digest its checkpoint holds. Checked once per state of a projection
 * (a checkpoint moves, a rebuild switches generation) and, since a row can be changed under an
 * unchanged checkpoint, each document or row handed out is compared with its own digest taken
 * then. This does not prove a read model is what the log implies, only that it is what the
 * projector wrote with its digest (`verify` recomputes it from the log). Snapshots and their
 * frames are handed out only if their bytes hash to the digest stored beside them; one stored
 * before digests were kept is not used, so a view starts from the log instead. Writes pass through.
 */
export class ReconciledReadModels implements ReadModelStore {
  private readonly reconciled = new Map<ProjectionName, Reconciliation>();
  private snapshotsChecked: { key: string; problem: string | null } | null = null;

  constructor(private readonly inner: ReadModelStore) {}

  /** The rows as stored, unchecked: what `verify` compares with the log, naming each one that differs. */
  get stored(): ReadModelStore {
    return this.inner;
  }

  /** Each read model whose stored content does not match its digest, and why; the snapshots too, as one. */
  async unreconciled(): Promise<{ projection: ProjectionName | 'snapshots'; detail: string }[]> {
    const found: { projection: ProjectionName | 'snapshots'; detail: string }[] = [];
    for (const projection of (await this.inner.states()).keys()) {
      const reconciliation = await this.reconcile(projection);
      if (reconciliation?.problem) found.push({ projection, detail: reconciliation.problem });
    }
    const snapshots = await this.snapshotProblem();
    if (snapshots) found.push({ projection: 'snapshots', detail: snapshots });
    return found;
  }

  /** The first snapshot or frame whose bytes do not hash to their digest; checked again only when the snapshots change. */
  private async snapshotProblem(): Promise<string | null> {
    const marks = await this.inner.snapshotMarks(SNAPSHOT_FORMAT);
    const key = marks.map((mark) => snapshotName(mark)).join('\n');
    if (this.snapshotsChecked?.key === key) return this.snapshotsChecked.problem;
    let problem: string | null = null;
    try {
      for (const builtAt of new Set(marks.map((mark) => mark.builtAt))) await this.snapshotFrame(SNAPSHOT_FORMAT, builtAt);
      for (const mark of marks) await this.snapshot(SNAPSHOT_FORMAT, mark);
    } catch (error) {
      if (!(error instanceof UnreconciledReadModel)) throw error;
      problem = error.detail;
    }
    this.snapshotsChecked = { key, problem };
    return problem;
  }

  async document(projection: ProjectionName, name: string): Promise<unknown | null> {
    for (;;) {
      const reconciliation = await this.reconcile(projection);
      if (reconciliation === null) return this.inner.document(projection, name);
      if (reconciliation.problem) throw new UnreconciledReadModel(projection, reconciliation.problem);
      const document = await this.inner.document(projection, name);
      if (document === null ? !reconciliation.parts.has(name) : digestOf(document) === reconciliation.parts.get(name)) return document;
      if (await this.moved(projection, reconciliation)) continue; // the projector wrote meanwhile
      reconciliation.problem = `document ${JSON.stringify(name)} was changed after the digests were checked`;
      throw new UnreconciledReadModel(projection, reconciliation.problem);
    }
  }

  async restatements(filter?: RestatementFilter): Promise<Restatement[]> {
    for (;;) {
      const reconciliation = await this.reconcile('restatements');
      if (reconciliation === null) return this.inner.restatements(filter);
      if (reconciliation.problem) throw new UnreconciledReadModel('restatements', reconciliation.problem);
      const rows = await this.inner.restatements(filter);
      const changed = rows.find((row) => digestOf(row) !== reconciliation.parts.get(row.position));
      if (!changed) return rows;
      if (await this.moved('restatements', reconciliation)) continue;
      reconciliation.problem = `the restatement at position ${changed.position} was changed after the digests were checked`;
      throw new UnreconciledReadModel('restatements', reconciliation.problem);
    }
  }

  /** The projection's current state, reconciled (once per state); null when it has not been built. */
  private async reconcile(projection: ProjectionName): Promise<Reconciliation | null> {
    for (;;) {
      const state = (await this.inner.states()).get(projection);
      if (!state) return null;
      const known = this.reconciled.get(projection);
      if (known?.state === stateKey(state)) return known;
      const reconciliation = projection === 'restatements' ? await this.chain(state, known) : await this.documents(projection, state);
      // kept only if read at that very state: a flush in between would mix two
      if (await this.moved(projection, reconciliation)) continue;
      this.reconciled.set(projection, reconciliation);
      return reconciliation;
    }
  }

  private async moved(projection: ProjectionName, reconciliation: Reconciliation): Promise<boolean> {
    const state = (await this.inner.states()).get(projection);
    return state === undefined || stateKey(state) !== reconciliation.state;
  }

  private async documents(projection: ProjectionName, state: ProjectionState): Promise<Reconciliation> {
    const reconciliation = begun(state, EMPTY_DIGEST);
    const canonical = new Map<string, string>();
    for (const [name, text] of await this.inner.documentTexts(projection)) {
      const body = parsed(text);
      if (body === undefined) return { ...reconciliation, problem: `document ${JSON.stringify(name)} is not JSON` };
      canonical.set(name, canonicalJson(body));
      reconciliation.parts.set(name, sha256(canonical.get(name)!));
    }
    const digest = digestOfCanonical(canonical);
    if (digest !== state.digest) reconciliation.problem = `its stored documents hash to ${digest}, its checkpoint holds ${state.digest}`;
    return reconciliation;
  }

  /**
   * Restatements are appended with their checkpoint, each after the previous checkpoint: a state
   * that follows a reconciled one of the same generation is reconciled from there on.
   */
  private async chain(state: ProjectionState, known: Reconciliation | undefined): Promise<Reconciliation> {
    const from =
      known && known.problem === null && known.generation === state.generation && known.position <= state.position ? known : null;
    const reconciliation = begun(state, from?.chain ?? EMPTY_DIGEST);
    if (from) for (const [position, digest] of from.parts) reconciliation.parts.set(position, digest);
    let after = from?.position ?? 0;
    for (;;) {
      const rows = (await this.inner.restatementRows(after, PAGE)).filter((row: StoredRestatement) => row.position <= state.position);
      if (rows.length === 0) break;
      for (const row of rows) {
        const body = parsed(row.body);
        if (body === undefined) return { ...reconciliation, problem: `the restatement at position ${row.position} is not JSON` };
        reconciliation.chain = chainDigest(reconciliation.chain, body);
        reconciliation.parts.set(row.position, digestOf(body));
      }
      after = rows[rows.length - 1].position;
    }
    if (reconciliation.chain !== state.digest) {
      reconciliation.problem = `its stored restatements chain to ${reconciliation.chain}, its checkpoint holds ${state.digest}`;
    }
    return reconciliation;
  }

  states(): Promise<Map<ProjectionName, ProjectionState>> {
    return this.inner.states();
  }

  newGeneration(projection: ProjectionName): Promise<number> {
    return this.inner.newGeneration(projection);
  }

  flush(writes: readonly ProjectionWrite[]): Promise<void> {
    return this.inner.flush(writes);
  }

  activate(projection: ProjectionName, generation: number): Promise<void> {
    return this.inner.activate(projection, generation);
  }

  documentTexts(projection: ProjectionName): Promise<Map<string, string>> {
    return this.inner.documentTexts(projection);
  }

  restatementRows(after: number, limit: number): Promise<StoredRestatement[]> {
    return this.inner.restatementRows(after, limit);
  }

  snapshotMarks(format: string): Promise<SnapshotMark[]> {
    return this.inner.snapshotMarks(format);
  }

  /**
   * A snapshot only if its bytes hash to the digest stored beside them; one stored before digests
   * were kept is not used (null: the view starts from the log, which never changes a figure).
   */
  async snapshot(format: string, mark: SnapshotMark): Promise<StoredSnapshot | null> {
    const stored = await this.inner.snapshot(format, mark);
    if (stored?.digest === null) return null;
    if (stored && bytesDigest(stored.body) !== stored.digest) throw new UnreconciledReadModel('snapshots', `${snapshotName(mark)}: its bytes do not hash to its digest`);
    return stored;
  }

  addSnapshot(format: string, mark: SnapshotMark, body: Buffer): Promise<void> {
    return this.inner.addSnapshot(format, mark, body);
  }

  async snapshotFrame(format: string, builtAt: number): Promise<StoredFrame | null> {
    const stored = await this.inner.snapshotFrame(format, builtAt);
    if (stored?.digest === null) return null;
    if (stored && bytesDigest(stored.text) !== stored.digest) throw new UnreconciledReadModel('snapshots', `the frame of the snapshots built at ${builtAt}: its text does not hash to its digest`);
    return stored;
  }

  addSnapshotFrame(format: string, builtAt: number, events: readonly FrameEvent[]): Promise<void> {
    return this.inner.addSnapshotFrame(format, builtAt, events);
  }

  clearSnapshots(): Promise<void> {
    return this.inner.clearSnapshots();
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

function begun(state: ProjectionState, chain: string): Reconciliation {
  return { state: stateKey(state), generation: state.generation, position: state.position, problem: null, parts: new Map(), chain };
}

function stateKey(state: ProjectionState): string {
  return `${state.generation}:${state.position}:${state.digest}`;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
