import { canonicalJson, instantKey } from '@capflow/contracts';
import { verifyChain } from '@capflow/event-store';
import type { EventStore, VerifyReport } from '@capflow/event-store';
import { LedgerView, LiveLedger, Restatement, SNAPSHOT_FORMAT, SnapshotMark, snapshotOf, ValidityTracker } from '@capflow/projections';
import { bytesDigest, chainDigest, documentsDigest, EMPTY_DIGEST } from './digest';
import { DOCUMENT_PROJECTIONS, projectionDocuments } from './engines';
import { FrameEvent, PROJECTIONS, ProjectionName, ProjectionState, ReadModelStore, StoredRestatement } from './read-model.store';
import { forEachInBusinessOrder, frameWithReversals, turn } from './store-views';
import { reversalTargetOf, reversalTargets, viewEventOf } from './view-event-of';
import { snapshotName } from './reconciled-read-models';
import { frameEventOf } from './view-snapshots';

const PAGE = 5000;

/** A read model: a projection, or the views' snapshots with their frames. */
export type ReadModelName = ProjectionName | 'snapshots';

export interface ReadSideProblem {
  readModel: ReadModelName;
  /** The first row that does not match what the log implies, e.g. `document "balances"`, `restatement at position 12`, `digest`. */
  row: string;
  detail: string;
}

export interface ReadModelCheck {
  readModel: ReadModelName;
  /** The log position it was compared as of: its checkpoint (for snapshots, the position the pass that took them had read to). */
  position: number;
  /** How far that position is behind the log's head: a read model behind is compared as of its checkpoint, not reported as changed. */
  behind: number;
  /** Documents, restatements or snapshots compared. */
  rows: number;
}

export interface ReadSideReport {
  ok: boolean;
  headPosition: number;
  /** The read models that matched, in the order of PROJECTIONS, snapshots last. */
  checked: ReadModelCheck[];
  problem: ReadSideProblem | null;
}

/** The log's verdict, and the read side's unless it was skipped (`--log-only`) or the log did not verify. */
export interface LedgerVerifyReport extends VerifyReport {
  readSide?: ReadSideReport;
}

/**
 * `capflow verify`: the hash chain, then the read side against it (`readModels` null: the log
 * only). A log that does not verify is not recomputed from: its own report is the answer.
 */
export async function verifyLedger(
  store: EventStore,
  readModels: ReadModelStore | null,
  options: {
    anchor?: { position: number; hash: string };
    onLogProgress?: (checked: number, head: number) => void;
    onReadSideProgress?: (events: number, total: number) => void;
  } = {},
): Promise<LedgerVerifyReport> {
  const report = await verifyChain(store, { anchor: options.anchor, onProgress: options.onLogProgress });
  if (!report.ok || readModels === null) return report;
  return { ...report, readSide: await verifyReadSide(store, readModels, { onProgress: options.onReadSideProgress }) };
}

/** Whether a verify report found nothing changed, in the log or on the read side. */
export function verified(report: LedgerVerifyReport): boolean {
  return report.ok && (report.readSide?.ok ?? true);
}

/** The first mismatch found: ends the check. */
class Mismatch extends Error {
  constructor(readonly problem: ReadSideProblem) {
    super(problem.detail);
  }
}

function mismatch(readModel: ReadModelName, row: string, detail: string): Mismatch {
  return new Mismatch({ readModel, row, detail });
}

/**
 * Recomputes every read model from the log, as of the position it reflects, and compares it with
 * what is stored: each projection's documents and the digest its checkpoint holds, the
 * restatements row by row and their chained digest, and each snapshot's bytes (and the position
 * it is valid from) against the snapshot of the view at its checkpoint, with the frame stored
 * beside them. Names the first row that differs. Assumes the log itself verified.
 *
 * Streams: one pass in business order per distinct position (usually the head, and the older
 * position the snapshots were taken at), a pass in recorded order for restatements; what is held
 * is one view (as a rebuild holds) and the stored documents' text, read with their checkpoints
 * first, so that a projector at work meanwhile (in `serve`) cannot make them differ.
 */
export async function verifyReadSide(
  store: EventStore,
  readModels: ReadModelStore,
  options: { onProgress?: (events: number, total: number) => void } = {},
): Promise<ReadSideReport> {
  for (let attempt = 1; ; attempt += 1) {
    const { report, states } = await verifyOnce(store, readModels, options.onProgress);
    // a read model a rebuild replaced while it was compared is compared again, not reported
    const readModel = report.problem?.readModel;
    if (readModel === undefined || readModel === 'snapshots' || attempt === 3) return report;
    const now = (await readModels.states()).get(readModel);
    if (now !== undefined && stateKey(now) === stateKey(states.get(readModel)!)) return report;
  }
}

async function verifyOnce(
  store: EventStore,
  readModels: ReadModelStore,
  onProgress?: (events: number, total: number) => void,
): Promise<{ report: ReadSideReport; states: Map<ProjectionName, ProjectionState> }> {
  const states = await readModels.states();
  // read with their checkpoints before the passes: a projector at work meanwhile writes over them
  const stored = new Map<DocumentProjection, Map<string, string>>();
  for (const projection of DOCUMENT_PROJECTIONS) {
    if (!states.has(projection)) continue;
    const { state, texts } = await storedDocuments(readModels, projection);
    states.set(projection, state);
    stored.set(projection, texts);
  }
  const marks = await readModels.snapshotMarks(SNAPSHOT_FORMAT);
  // after every checkpoint was read: none can be beyond it unless it was changed
  const head = (await store.head()).position;
  const checked = new Map<ReadModelName, ReadModelCheck>();
  const check = (readModel: ReadModelName, position: number, rows: number) =>
    checked.set(readModel, { readModel, position, behind: head - position, rows });
  try {
    for (const [projection, state] of states) {
      if (state.position > head)
        throw mismatch(projection, 'checkpoint', `its checkpoint is at position ${state.position}, beyond the log's head (${head})`);
    }
    for (const mark of marks) {
      if (mark.builtAt > head)
        throw mismatch('snapshots', snapshotName(mark), `built at position ${mark.builtAt}, beyond the log's head (${head})`);
    }
    const positions = new Set([...[...stored.keys()].map((p) => states.get(p)!.position), ...marks.map((m) => m.builtAt)]);
    let snapshots = 0;
    for (const position of [...positions].sort((a, b) => a - b)) {
      const here = marks.filter((mark) => mark.builtAt === position);
      const view = await viewCheckingSnapshots(store, readModels, position, here, onProgress);
      snapshots += here.length;
      for (const [projection, texts] of stored) {
        if (states.get(projection)!.position === position)
          check(projection, position, compareDocuments(view, projection, states.get(projection)!, texts));
      }
    }
    if (marks.length > 0) check('snapshots', Math.min(...marks.map((m) => m.builtAt)), snapshots);
    const restatements = states.get('restatements');
    if (restatements) check('restatements', restatements.position, await compareRestatements(store, readModels, restatements, onProgress));
  } catch (error) {
    if (!(error instanceof Mismatch)) throw error;
    return { report: { ok: false, headPosition: head, checked: ordered(checked), problem: error.problem }, states };
  }
  return { report: { ok: true, headPosition: head, checked: ordered(checked), problem: null }, states };
}

type DocumentProjection = (typeof DOCUMENT_PROJECTIONS)[number];

/** A projection's stored documents with the state they are of (read again if a flush came between). */
async function storedDocuments(
  readModels: ReadModelStore,
  projection: DocumentProjection,
): Promise<{ state: ProjectionState; texts: Map<string, string> }> {
  for (;;) {
    const before = (await readModels.states()).get(projection)!;
    const texts = await readModels.documentTexts(projection);
    const after = (await readModels.states()).get(projection)!;
    if (stateKey(before) === stateKey(after)) return { state: after, texts };
  }
}

function stateKey(state: ProjectionState): string {
  return `${state.generation}:${state.position}:${state.digest}`;
}

function ordered(checked: Map<ReadModelName, ReadModelCheck>): ReadModelCheck[] {
  return [...PROJECTIONS, 'snapshots' as const].flatMap((name) => (checked.has(name) ? [checked.get(name)!] : []));
}

/**
 * The view of every report at `position`, from one pass in business order, as a replay's pass
 * that took snapshots then would have seen it: each of `marks` (taken by such a pass) compared on
 * the way, at its checkpoint, and their stored frame with the registrations and reversals then known.
 */
async function viewCheckingSnapshots(
  store: EventStore,
  readModels: ReadModelStore,
  position: number,
  marks: readonly SnapshotMark[],
  onProgress?: (events: number, total: number) => void,
): Promise<LedgerView> {
  const { frame, events, reversals } = await frameWithReversals(store, position);
  if (marks.length > 0) {
    // a frame that is gone only makes views start from the beginning: still right
    const stored = await readModels.snapshotFrame(SNAPSHOT_FORMAT, position);
    if (stored !== null) {
      if (stored.digest !== null && bytesDigest(stored.text) !== stored.digest)
        throw mismatch('snapshots', `snapshot frame built at ${position}`, 'its text does not hash to the digest stored beside it');
      compareFrame(JSON.parse(stored.text) as FrameEvent[], events.map(frameEventOf), position);
    }
  }
  const pending = new Map(marks.map((mark) => [`${mark.checkpoint.key} ${mark.checkpoint.position}`, mark]));
  const view = new LedgerView(frame.groups);
  const validity = new ValidityTracker(reversals);
  await forEachInBusinessOrder(
    store,
    frame,
    { toPosition: position },
    (event) => view.apply(event),
    (seen) => onProgress?.(Math.min(seen, position), position),
    async (event) => {
      validity.see(event);
      const mark = pending.get(`${event.occurredKey} ${event.position}`);
      if (!mark) return;
      pending.delete(`${event.occurredKey} ${event.position}`);
      if (mark.validFrom !== validity.validFrom) {
        throw mismatch(
          'snapshots',
          snapshotName(mark),
          `stored as valid from position ${mark.validFrom}; the log says from ${validity.validFrom}`,
        );
      }
      const stored = await readModels.snapshot(SNAPSHOT_FORMAT, mark); // gone: a replay replaced it meanwhile
      if (stored === null) return;
      if (!stored.body.equals(snapshotOf(view))) {
        throw mismatch('snapshots', snapshotName(mark), 'its bytes are not the snapshot of the view the log implies at its checkpoint');
      }
      if (stored.digest !== null && bytesDigest(stored.body) !== stored.digest) {
        throw mismatch('snapshots', snapshotName(mark), 'its bytes do not hash to the digest stored beside it');
      }
    },
  );
  const [stray] = pending.values();
  if (stray) throw mismatch('snapshots', snapshotName(stray), `its checkpoint is no event of the log up to position ${position}`);
  return view;
}


function compareFrame(stored: readonly FrameEvent[], expected: readonly FrameEvent[], builtAt: number): void {
  const row = `snapshot frame built at ${builtAt}`;
  for (let index = 0; index < Math.max(stored.length, expected.length); index += 1) {
    const difference = firstDifference(stored[index], expected[index], `[${index}]`);
    if (difference !== null)
      throw mismatch('snapshots', row, `the registrations and reversals it holds differ from the log's: ${difference}`);
  }
}

/** Compares a projection's stored documents and digest with those of `view`; the number of documents. */
function compareDocuments(view: LedgerView, projection: DocumentProjection, state: ProjectionState, stored: Map<string, string>): number {
  const expected = projectionDocuments(view, projection);
  for (const [name, document] of expected) {
    const row = `document ${JSON.stringify(name)}`;
    const text = stored.get(name);
    if (text === undefined) throw mismatch(projection, row, 'missing: the log implies it');
    const body = parsed(text);
    if (body === undefined) throw mismatch(projection, row, 'its body is not JSON');
    const difference = firstDifference(body, JSON.parse(JSON.stringify(document)), '');
    if (difference !== null) throw mismatch(projection, row, `differs from the log as of position ${state.position}: ${difference}`);
  }
  for (const name of stored.keys()) {
    if (!expected.has(name)) throw mismatch(projection, `document ${JSON.stringify(name)}`, 'is no document of this read model');
  }
  const digest = documentsDigest(expected);
  if (digest !== state.digest) {
    throw mismatch(
      projection,
      'digest',
      `its checkpoint holds ${state.digest}, not ${digest}, the digest of the documents the log implies`,
    );
  }
  return expected.size;
}

/**
 * Traces the log in recorded order up to the restatements' checkpoint, as the projector did, and
 * compares each restatement it yields with the stored row at its position; the number compared.
 */
async function compareRestatements(
  store: EventStore,
  readModels: ReadModelStore,
  state: ProjectionState,
  onProgress?: (events: number, total: number) => void,
): Promise<number> {
  const rows = storedRows(readModels, state.position);
  let digest = EMPTY_DIGEST;
  let count = 0;
  const compare = async (restatement: Restatement) => {
    digest = chainDigest(digest, restatement);
    count += 1;
    const row = await rows.next();
    if (row !== null && row.position < restatement.position) throw notImplied(row);
    const name = `restatement at position ${restatement.position}`;
    if (row === null || row.position > restatement.position) throw mismatch('restatements', name, 'missing: the log implies it');
    const body = parsed(row.body);
    if (body === undefined) throw mismatch('restatements', name, 'its body is not JSON');
    const difference = firstDifference(body, JSON.parse(JSON.stringify(restatement)), '');
    if (difference !== null) throw mismatch('restatements', name, `differs from the log's: ${difference}`);
    const key = instantKey(restatement.restatedFrom);
    if (row.occurredKey !== key)
      throw mismatch('restatements', name, `its business-time index is ${row.occurredKey}, not ${key}, the key of its restatedFrom`);
  };
  const ledger = new LiveLedger();
  let position = 0;
  while (position < state.position) {
    const events = await store.readAll({ after: position, limit: Math.min(PAGE, state.position - position) });
    if (events.length === 0) break;
    const targets = await reversalTargets(store, events);
    for (const stored of events) {
      const restatement = ledger.apply(viewEventOf(stored), reversalTargetOf(stored, targets));
      if (restatement) await compare(restatement);
    }
    position = events[events.length - 1].position;
    onProgress?.(position, state.position);
    await turn();
  }
  const last = ledger.close(); // the checkpoint is written between appends: the last one is whole
  if (last) await compare(last);
  const extra = await rows.next();
  if (extra !== null) throw notImplied(extra);
  if (digest !== state.digest) {
    throw mismatch(
      'restatements',
      'digest',
      `its checkpoint holds ${state.digest}, not ${digest}, the chained digest of the restatements the log implies`,
    );
  }
  return count;
}

function notImplied(row: StoredRestatement): Mismatch {
  return mismatch('restatements', `restatement at position ${row.position}`, 'is not one the log implies');
}

/**
 * The stored restatements up to `position` one at a time, read a page at a time (those after it
 * are of a later checkpoint, written meanwhile).
 */
function storedRows(readModels: ReadModelStore, position: number): { next(): Promise<StoredRestatement | null> } {
  let page: StoredRestatement[] = [];
  let index = 0;
  let after = 0;
  return {
    async next() {
      if (index === page.length) {
        page = (await readModels.restatementRows(after, PAGE)).filter((row) => row.position <= position);
        index = 0;
        if (page.length === 0) return null;
        after = page[page.length - 1].position;
      }
      return page[index++];
    },
  };
}

function parsed(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Where two JSON values first differ (keys in code-point order), said for people; null if equal. */
function firstDifference(stored: unknown, expected: unknown, path: string): string | null {
  if (Array.isArray(stored) && Array.isArray(expected)) {
    for (let index = 0; index < Math.max(stored.length, expected.length); index += 1) {
      const difference = firstDifference(stored[index], expected[index], `${path}[${index}]`);
      if (difference !== null) return difference;
    }
    return null;
  }
  if (isRecord(stored) && isRecord(expected)) {
    for (const key of [...new Set([...Object.keys(stored), ...Object.keys(expected)])].sort()) {
      const difference = firstDifference(stored[key], expected[key], path === '' ? key : `${path}.${key}`);
      if (difference !== null) return difference;
    }
    return null;
  }
  if (canonicalJson(stored) === canonicalJson(expected)) return null;
  return `${path === '' ? 'the whole' : path} is ${shown(stored)} where the log implies ${shown(expected)}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}
