/**
 * The last version of recently appended streams, so that an append need not ask the database.
 * Valid only while this process is the only writer since it last appended: each append
 * transaction starts by comparing the store's head with the head this cache was filled at, and
 * forgets everything if another writer moved it. Bounded: the first entries in go first out.
 */
export class StreamVersionCache {
  private readonly versions = new Map<string, number>();
  private validAtHead = -1;

  constructor(private readonly limit = 100_000) {}

  /** At the start of an append transaction, under the lock. */
  begin(headPosition: number): void {
    if (headPosition !== this.validAtHead) this.versions.clear();
  }

  get(streamId: string): number | undefined {
    return this.versions.get(streamId);
  }

  set(streamId: string, version: number): void {
    this.versions.set(streamId, version);
  }

  committed(headPosition: number): void {
    this.validAtHead = headPosition;
    if (this.versions.size > this.limit) {
      let excess = this.versions.size - this.limit;
      for (const key of this.versions.keys()) {
        if (excess-- <= 0) break;
        this.versions.delete(key);
      }
    }
  }

  /** After a rollback: versions set during it were never stored. */
  forget(): void {
    this.versions.clear();
    this.validAtHead = -1;
  }
}
