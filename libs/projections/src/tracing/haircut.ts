/**
 * The pro_rata haircut (TRACING.md): an outflow of A from a pool of total T takes from a tag
 * holding a the amount floor((2·A·a + T) / (2·T)), i.e. A·a/T rounded half up, when A < T.
 * In BigInt: money never passes through a float.
 */
export function exactHaircut(amount: bigint, total: bigint, held: bigint): bigint {
  return (2n * amount * held + total) / (2n * total);
}

/** Held amounts below this take the float path of narrowHaircut (its error bound needs them small). */
const NARROW_HELD = 2 ** 49;
/** How close to a whole number A·a/T + ½ may come before the float cannot decide: 2⁻⁴⁹ of it. */
const MARGIN = 2 ** -49;

/**
 * The same haircut for integers that are doubles (A < T ≤ 2⁵³ − 1, a ≤ 2⁵³ − 1), without a BigInt
 * where the float decides it. y = fl(fl(fl(A·a)/T) + ½) is within 3.02·2⁻⁵³·y of A·a/T + ½
 * (three roundings); so when no whole number lies within 2⁻⁴⁹·y of y, floor(y) is the floor of
 * the exact value. Ties, and values too close to call, go to exactHaircut: the answer is exact
 * whichever path gives it (a property test compares both over the contract's whole range).
 */
export function narrowHaircut(amount: number, total: number, held: number): number {
  if (held < NARROW_HELD) {
    const y = (amount * held) / total + 0.5;
    const floor = Math.floor(y);
    const fraction = y - floor; // exact: y < 2⁵⁰
    const margin = y * MARGIN;
    if (fraction > margin && 1 - fraction > margin) return floor;
  }
  return Number(exactHaircut(BigInt(amount), BigInt(total), BigInt(held)));
}
