/**
 * The inverse of every change a tracer makes, newest last, so that the pools can be wound back to
 * an earlier point of business time: a late fact is inserted there and the rest replayed. Off by
 * default: a single pass in business order never goes back.
 */
export class UndoJournal {
  private entries: (() => void)[] = [];
  /** Entries forgotten from the front (their marks are no longer reachable). */
  private offset = 0;
  enabled = false;

  /** A point to roll back to. */
  get mark(): number {
    return this.offset + this.entries.length;
  }

  /** The oldest point still reachable. */
  get oldestMark(): number {
    return this.offset;
  }

  /** Callers check `enabled` first, so that no closure is made for a journal that is off. */
  record(undo: () => void): void {
    if (this.enabled) this.entries.push(undo);
  }

  rollback(mark: number): void {
    if (mark < this.offset) throw new RangeError('that point was forgotten');
    while (this.offset + this.entries.length > mark) this.entries.pop()!();
  }

  /** Forgets the entries before `mark`: no rollback can reach behind it any more. */
  forget(mark: number): void {
    const drop = Math.min(mark - this.offset, this.entries.length);
    if (drop <= 0) return;
    this.entries = this.entries.slice(drop);
    this.offset += drop;
  }
}
