// β^t for a step counter t = 1, 2, 3, ...: the bias corrections of Adam, AdamW, Adamax and RAdam.
//
// torch computes `beta ** step` in CPython, whose float power is glibc's pow: correctly rounded here.
// V8's Math.pow is not (it differs by an ulp for ~60% of t ≤ 2·10^5 at β = 0.9), and it costs ~35 ns a
// call, a third of a small group's whole step(). Both differences vanish once the host scalars are cast
// to float32, but neither needs to exist: a double-double running product gives the correctly rounded
// power with one exact multiplication per step (~10 ns).

const SPLIT = 134217729; // 2^27 + 1: Veltkamp's splitter for binary64
// Below this the power is flushed to 0. Nothing can tell: 1 − β^t is exactly 1 long before (from
// β^t < 2^-54), and RAdam's 2t·β^t / (1 − β^t) is ~2^-850 of ρ∞ ≥ 1, rounded away. Without the flush
// the products run in subnormal numbers (each ~50× slower) and, at round-to-nearest, stick at the
// smallest subnormal forever where CPython's `beta ** step` reaches 0.0 (β = 0.999 from t ≈ 708,000:
// every Adam step of a long run paid ~250 ns for it).
const FLUSH = 2 ** -900;

/** The correctly rounded powers of one base, advanced step by step; restarts if asked for an earlier t or another base. */
export class Powers {
  #base = NaN;
  #t = 0;
  #hi = 1; // the power is hi + lo, |lo| ≤ ulp(hi)/2, so hi is its rounding to double
  #lo = 0;

  at(base: number, t: number): number {
    if (base !== this.#base || t < this.#t) {
      this.#base = base;
      this.#t = 0;
      this.#hi = 1;
      this.#lo = 0;
    }
    while (this.#t < t) this.#multiply();
    return this.#hi;
  }

  /** (hi + lo)·base, exactly up to ~2^-104 relative: Dekker's product, then a fast two-sum. */
  #multiply(): void {
    const a = this.#hi, b = this.#base;
    if (Math.abs(a) < FLUSH) {
      this.#hi = this.#lo = 0;
      this.#t++;
      return;
    }
    const p = a * b;
    const ca = SPLIT * a, ah = ca - (ca - a), al = a - ah;
    const cb = SPLIT * b, bh = cb - (cb - b), bl = b - bh;
    const error = ((ah * bh - p) + ah * bl + al * bh) + al * bl + this.#lo * b;
    const hi = p + error;
    this.#lo = error - (hi - p);
    this.#hi = hi;
    this.#t++;
  }
}
