// JS mirror of assembly/adafactor.ts: same names, parameters and f32 operation order (torch's orders;
// see that file's header).

const f = Math.fround;

function sumSquares8(h: Float32Array, X: number, n: number): number {
  const acc = [0, 0, 0, 0, 0, 0, 0, 0];
  let i = 0;
  for (; i + 8 <= n; i += 8) for (let l = 0; l < 8; l++) acc[l] = f(acc[l] + f(h[X + i + l] * h[X + i + l]));
  let s = acc[0];
  for (let l = 1; l < 8; l++) s = f(s + acc[l]);
  for (; i < n; i++) s = f(s + f(h[X + i] * h[X + i]));
  return s;
}

export function sumSquares8_f32(h: Float32Array, _u: Uint32Array, x: number, n: number): number {
  return sumSquares8(h, x >>> 2, n);
}

export function adafactorRows_f32(h: Float32Array, _u: Uint32Array, g: number, rowVar: number, rows: number, cols: number, coef: number, high: number): void {
  const G = g >>> 2,
    R = rowVar >>> 2;
  for (let i = 0; i < rows; i++) {
    const norm = f(Math.sqrt(sumSquares8(h, G + i * cols, cols)));
    const mean = f(f(norm * norm) / cols);
    const v = h[R + i];
    h[R + i] = f((high ? mean : v) + f(coef * f(mean - v)));
  }
}

export function adafactorCols_f32(h: Float32Array, _u: Uint32Array, g: number, colVar: number, rows: number, cols: number, coef: number, high: number): void {
  const G = g >>> 2,
    C = colVar >>> 2;
  for (let j = 0; j < cols; j++) {
    // One column is contiguous: torch reduces it as a last dimension, in the 8-lane order.
    let s = cols === 1 ? sumSquares8(h, G, rows) : 0;
    for (let i = 0; cols !== 1 && i < rows; i++) {
      const v = h[G + i * cols + j];
      s = f(s + f(v * v));
    }
    const norm = f(Math.sqrt(s));
    const mean = f(f(norm * norm) / rows);
    const v = h[C + j];
    h[C + j] = f((high ? mean : v) + f(coef * f(mean - v)));
  }
}

export function adafactorUpdate_f32(
  h: Float32Array,
  _u: Uint32Array,
  g: number,
  u: number,
  rowVar: number,
  colVar: number,
  rows: number,
  cols: number,
  mean: number,
  floor: number,
): void {
  const G = g >>> 2,
    U = u >>> 2,
    R = rowVar >>> 2,
    C = colVar >>> 2;
  for (let i = 0; i < rows; i++) {
    const ri = h[R + i];
    for (let j = 0; j < cols; j++) {
      const v = Math.max(f(f(ri * h[C + j]) / mean), floor);
      h[U + i * cols + j] = f(f(1 / f(Math.sqrt(v))) * h[G + i * cols + j]);
    }
  }
}

export function adafactor_f32(h: Float32Array, _u: Uint32Array, g: number, variance: number, u: number, n: number, coef: number, high: number, floor: number): void {
  const G = g >>> 2,
    V = variance >>> 2,
    U = u >>> 2;
  for (let i = 0; i < n; i++) {
    const gi = h[G + i];
    const sq = f(gi * gi);
    const old = h[V + i];
    const v = f((high ? sq : old) + f(coef * f(sq - old)));
    h[V + i] = v;
    h[U + i] = f(f(1 / f(Math.sqrt(Math.max(v, floor)))) * gi);
  }
}
