/**
 * The last position recorded at or before `recordedAt`. recordedAt never decreases along positions
 * (see nextRecordedAt), so a binary search over positions finds it with about 20 point reads for a
 * million events, and no index on recordedAt.
 */
export async function lastPositionRecordedBy(
  recordedAt: string,
  headPosition: number,
  recordedAtOf: (position: number) => Promise<string | undefined>,
): Promise<number> {
  let low = 0;
  let high = headPosition;
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    const at = await recordedAtOf(middle);
    if (at !== undefined && at <= recordedAt) low = middle;
    else high = middle - 1;
  }
  return low;
}
