/**
 * The pro_rata haircut (TRACING.md): an outflow of A from a pool of total T takes from a tag
 * holding a the amount floor((2·A·a + T) / (2·T)), i.e. A·a/T rounded half up, when A < T.
 * In BigInt: money never passes through a float.
 */
export function exactHaircut(amount: bigint, total: bigint, held: bigint): bigint {
  return (2n * amount * held + total) / (2n * total);
}
