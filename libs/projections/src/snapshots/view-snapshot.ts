import { LedgerView } from '../view/ledger-view';
import { SnapshotReader, SnapshotWriter } from './snapshot-codec';

/**
 * The format of a view's snapshot. Bump it whenever what a view holds, or what a figure means,
 * changes: snapshots of another format are never restored (the store drops and rebuilds them).
 */
export const SNAPSHOT_FORMAT = 'capflow-view-5';

/** Every figure of a view, as bytes. */
export function snapshotOf(view: LedgerView): Buffer {
  const writer = new SnapshotWriter();
  view.snapshot(writer);
  return writer.finish(SNAPSHOT_FORMAT);
}

/**
 * The view a snapshot holds, with the groups of the query restoring it (every party registered
 * as known then). Throws if the bytes are not a whole snapshot of this format.
 */
export function viewOfSnapshot(bytes: Buffer, groups: ReadonlyMap<string, string>): LedgerView {
  const reader = new SnapshotReader(bytes, SNAPSHOT_FORMAT);
  const view = new LedgerView(groups);
  view.restoreSnapshot(reader);
  reader.end();
  return view;
}
