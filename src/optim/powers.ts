// β^t for a step counter t = 1, 2, 3, ...: the bias corrections of Adam, AdamW, Adamax and RAdam.
//
// torch computes `beta ** step` in CPython, whose float power is glibc's pow: correctly rounded here.
// V8's Math.pow is not (it differs by an ulp for ~60% of t ≤ 2·10^5 at β = 0.9), and it costs ~35 ns a
// call, a third of a small group's whole step(). Both differences vanish once the host scalars are cast
// to float32, but neither needs to exist: β^t in double-double arithmetic (~2^-100 relative error),
// rounded once, is the correctly rounded power except in the rarest of ties. Step by step it is one
// exact multiplication (~10 ns); after a jump or a new base (a schedule changing β every step) it is
// recomputed by squaring, O(log t), never O(t).

const SPLIT = 134217729; // 2^27 + 1: Veltkamp's splitter for binary64
// Below this the power is flushed to 0. Nothing can tell: 1 − β^t is exactly 1 long before (from
// β^t < 2^-54), and RAdam's 2t·β^t / (1 − β^t) is ~2^-850 of ρ∞ ≥ 1, rounded away. Without the flush
// the products run in subnormal numbers (each ~50× slower) and, at round-to-nearest, stick at the
// smallest subnormal forever where CPython's `beta ** step` reaches 0.0 (β = 0.999 from t ≈ 708,000:
// every Adam step of a long run paid ~250 ns for it).
const FLUSH = 2 ** -900;

/** (ah + al)·(bh + bl) as a double-double [hi, lo]: Dekker's exact product of the heads, then a fast two-sum. */
function multiply(ah: number, al: number, bh: number, bl: number, out: Float64Array): void {
  const p = ah * bh;
  const ca = SPLIT * ah,
    ahh = ca - (ca - ah),
    ahl = ah - ahh;
  const cb = SPLIT * bh,
    bhh = cb - (cb - bh),
    bhl = bh - bhh;
  const error = ahh * bhh - p + ahh * bhl + ahl * bhh + ahl * bhl + (ah * bl + al * bh);
  const hi = p + error;
  out[0] = hi;
  out[1] = error - (hi - p);
}

/** The correctly rounded powers of one base: advanced by one multiplication per step, recomputed in O(log t) after a jump. */
export class Powers {
  #base = NaN;
  #t = 0;
  // The power is hi + lo, |lo| ≤ ulp(hi)/2, so hi is its rounding to double.
  readonly #dd = new Float64Array(2);

  at(base: number, t: number): number {
    if (base === this.#base && t === this.#t) return this.#dd[0];
    if (base === this.#base && t === this.#t + 1) this.#step();
    else this.#jump(base, t);
    return this.#dd[0];
  }

  #step(): void {
    const dd = this.#dd;
    if (Math.abs(dd[0]) < FLUSH) dd[0] = dd[1] = 0;
    else multiply(dd[0], dd[1], this.#base, 0, dd);
    this.#t++;
  }

  /**
   * base^t by binary powering in double-double: ~2·log2(t) multiplications, on locals (the same
   * operations in the same order as `multiply`, inlined: typed-array traffic tripled its cost).
   */
  #jump(base: number, t: number): void {
    let dh = 1,
      dl = 0,
      sh = base,
      sl = 0;
    // t ≤ 2^24 (the step counter saturates there): integer bit operations are exact.
    for (let k = t | 0; k > 0; k >>>= 1) {
      if ((k & 1) === 1) {
        if (Math.abs(sh) < FLUSH || Math.abs(dh) < FLUSH) {
          dh = dl = 0;
          break;
        }
        // (dh + dl)·(sh + sl)
        const p = dh * sh;
        const ca = SPLIT * dh,
          ahh = ca - (ca - dh),
          ahl = dh - ahh;
        const cb = SPLIT * sh,
          bhh = cb - (cb - sh),
          bhl = sh - bhh;
        const error = ahh * bhh - p + ahh * bhl + ahl * bhh + ahl * bhl + (dh * sl + dl * sh);
        dh = p + error;
        dl = error - (dh - p);
      }
      if (k > 1 && Math.abs(sh) >= FLUSH) {
        // (sh + sl)²
        const p = sh * sh;
        const c = SPLIT * sh,
          hh = c - (c - sh),
          hl = sh - hh;
        const error = hh * hh - p + hh * hl + hl * hh + hl * hl + (sh * sl + sl * sh);
        sh = p + error;
        sl = error - (sh - p);
      }
    }
    if (Math.abs(dh) < FLUSH) dh = dl = 0;
    this.#dd[0] = dh;
    this.#dd[1] = dl;
    this.#base = base;
    this.#t = t;
  }
}
