/**
 * The pro_rata haircut (TRACING.md): an outflow of A from a pool of total T takes from a tag
 * holding a the amount floor((2·A·a + T) / (2·T)), i.e. A·a/T rounded half up, when A < T.
 *
 * A busy pool gives a little of each of its hundreds of tags at every outflow, so this runs
 * hundreds of millions of times in a ledger of a million facts. BigInt arithmetic allocates on
 * every step; doubles do not. So the share is estimated in doubles and the estimate is used only
 * where it provably rounds the same as the exact quotient; everywhere else (near a rounding
 * boundary, or for shares of 2^48 minor units and more) it is computed exactly with BigInt.
 *
 * Why the estimate is safe. With u = 2^-53 the unit roundoff: Number(A), Number(T), Number(a)
 * each carry a relative error of at most u (none when below 2^53), the ratio r = A/T and the
 * product a·r add u each, and the final + 0.5 another u of the result. So the estimate x̂ of
 * x = A·a/T + 1/2 is within about 6u·x < 2^-50·x of it. Whenever x̂ is farther than 2^-48·x̂ from
 * both integers around it, x lies strictly between the same two integers and floor(x̂) = floor(x).
 * From x̂ ≥ 2^48 on, that margin is a whole unit, so large shares always take the exact path.
 */

/** Relative distance from a rounding boundary beyond which the double estimate is trusted. */
const MARGIN = 2 ** -48;

/** The exact haircut, in BigInt: the reference the fast path must always equal. */
export function exactHaircut(amount: bigint, total: bigint, held: bigint): bigint {
  return (2n * amount * held + total) / (2n * total);
}

/**
 * A haircut's estimate for a pool: `ratio` = Number(A) / Number(T), computed once per outflow.
 * Returns the share as a number when the estimate decides it, or -1 when the exact path must.
 * `held` is a's value as a double (exact below 2^53, rounded above).
 */
export function estimateHaircut(ratio: number, held: number): number {
  const x = held * ratio + 0.5;
  const whole = Math.floor(x);
  const margin = x * MARGIN;
  if (x - whole <= margin || whole + 1 - x <= margin) return -1;
  return whole;
}
