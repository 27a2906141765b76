import { canonicalJson } from '@capflow/contracts';
import type { Restatement, SnapshotMark } from '@capflow/projections';
import { createHash } from 'node:crypto';
import { chainDigest, digestOf, digestOfCanonical, EMPTY_DIGEST } from './digest';
import { UnreconciledReadModel } from './read-model.errors';
import type {
  FrameEvent,
  ProjectionName,
  ProjectionState,
  ProjectionWrite,
  ReadModelStore,
  RestatementFilter,
  StoredRestatement,
} from './read-model.store';

const PAGE = 5000;

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
 * projector wrote with its digest (`verify` recomputes it from the log); snapshots have no digest
 * of their own and are checked by `verify` only. Writes pass through.
 */
export class ReconciledReadModels implements ReadModelStore {
  private readonly reconciled = new Map<ProjectionName, Reconciliation>();

  constructor(private readonly inner: ReadModelStore) {}

  /** Each read model whose stored content does not match its digest, and why. */
  async unreconciled(): Promise<{ projection: ProjectionName; detail: string }[]> {
    const found: { projection: ProjectionName; detail: string }[] = [];
    for (const projection of (await this.inner.states()).keys()) {
      const reconciliation = await this.reconcile(projection);
      if (reconciliation?.problem) found.push({ projection, detail: reconciliation.problem });
    }
    return found;
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

  snapshot(format: string, mark: SnapshotMark): Promise<Buffer | null> {
    return this.inner.snapshot(format, mark);
  }

  addSnapshot(format: string, mark: SnapshotMark, body: Buffer): Promise<void> {
    return this.inner.addSnapshot(format, mark, body);
  }

  snapshotFrame(format: string, builtAt: number): Promise<FrameEvent[] | null> {
    return this.inner.snapshotFrame(format, builtAt);
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
