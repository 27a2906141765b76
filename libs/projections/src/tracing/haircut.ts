/**
 * The pro_rata haircut (TRACING.md): an outflow of A from a pool of total T takes from a tag
 * holding a the amount floor((2·A·a + T) / (2·T)), i.e. A·a/T rounded half up, when A < T.
 */
export function exactHaircut(amount: bigint, total: bigint, held: bigint): bigint {
  return (2n * amount * held + total) / (2n * total);
}

/**
 * Below this, a pool holds its amounts as JS numbers: exact integers (2^50 minor units is over
 * 10^12 in a currency of three minor digits), whose sums of two stay exact too.
 */
export const NARROW_LIMIT = 2 ** 50;
export const NARROW_LIMIT_BIG = BigInt(NARROW_LIMIT);

/**
 * The same haircut, exactly, for integers below NARROW_LIMIT held as numbers, without allocating.
 * The quotient A·a/T computed in double precision went through two roundings, so it is within
 * x·2^-51 of the true quotient; rounding half up depends only on which side of k + ½ the true
 * quotient lies, so when the estimate is farther than that from k + ½ (with room to spare) the
 * answer is certain. A tie or a near tie, rare, is decided by the BigInt rule.
 */
export function narrowHaircut(amount: number, total: number, held: number): number {
  const x = (amount * held) / total;
  const whole = Math.floor(x);
  const fraction = x - whole; // exact (Sterbenz)
  const margin = x * 2 ** -48 + 2 ** -40;
  if (fraction < 0.5 - margin) return whole;
  if (fraction > 0.5 + margin) return whole + 1;
  return Number(exactHaircut(BigInt(amount), BigInt(total), BigInt(held)));
}
