// Adafactor (torch 2.13 torch.optim.Adafactor) in float32, per tensor: the reductions in torch's own
// orders (its CPU kernels' with ATEN_CPU_CAPABILITY=default, where a vector is 8 floats), so that a
// step here is torch's bit for bit; the host (src/optim/adafactor.ts) does the per-tensor scalars.
//   ‖x‖²       8 lane sums over the 8-blocks, the lanes added in order, then the tail in order
//   row means  per row, ‖row‖ as above, then f32(√s)² / cols            (torch.norm(g, dim=-1).square_().div_(c))
//   col means  per column, Σᵢ g² in row order, then f32(√s)² / rows       (torch.norm(g, dim=-2): a plain loop;
//              one column is contiguous, and torch reduces it as a last dimension: the 8-lane order)
//   update     u = 1/√max(row·col / mean, eps1²) · g                       (var_estimate, clamp_, rsqrt_, mul_)
//   lerp       torch's portable lerp: (high ? end : start) + coef·(end − start), coef = w or −(1 − w)
// The JS mirror (src/kernels/adafactor.ts) shares these orders operation for operation.

// @ts-ignore: decorator
@inline function sumSquares8(x: usize, n: i32): f32 {
  let lo = f32x4.splat(0), hi = f32x4.splat(0);
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = v128.load(x + (<usize>i << 2)), b = v128.load(x + (<usize>i << 2), 16);
    lo = f32x4.add(lo, f32x4.mul(a, a));
    hi = f32x4.add(hi, f32x4.mul(b, b));
  }
  let s = f32x4.extract_lane(lo, 0);
  s += f32x4.extract_lane(lo, 1);
  s += f32x4.extract_lane(lo, 2);
  s += f32x4.extract_lane(lo, 3);
  s += f32x4.extract_lane(hi, 0);
  s += f32x4.extract_lane(hi, 1);
  s += f32x4.extract_lane(hi, 2);
  s += f32x4.extract_lane(hi, 3);
  for (; i < n; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    s += v * v;
  }
  return s;
}

/** Σ x² in torch's order for a contiguous tensor's 2-norm (its reduce-last-dim kernel, 8 lanes). */
export function sumSquares8_f32(x: usize, n: i32): f32 {
  return sumSquares8(x, n);
}

/** Each row's mean square, f32(√Σ)² / cols, lerped into rowVar: rowVar[i] = rowVar[i].lerp(mean, w). */
export function adafactorRows_f32(g: usize, rowVar: usize, rows: i32, cols: i32, coef: f32, high: i32): void {
  const c = <f32>cols;
  for (let i = 0; i < rows; i++) {
    const norm = sqrt<f32>(sumSquares8(g + ((<usize>i * <usize>cols) << 2), cols));
    const mean = (norm * norm) / c;
    const at = rowVar + (<usize>i << 2);
    const v = load<f32>(at);
    store<f32>(at, (high ? mean : v) + coef * (mean - v));
  }
}

// @ts-ignore: decorator
@inline function colMeans(g: usize, colVar: usize, rows: i32, cols: i32, j: i32, vCoef: v128, vRows: v128, high: bool): void {
  let acc = f32x4.splat(0);
  for (let i = 0; i < rows; i++) {
    const v = v128.load(g + ((<usize>i * <usize>cols + <usize>j) << 2));
    acc = f32x4.add(acc, f32x4.mul(v, v));
  }
  const norm = f32x4.sqrt(acc);
  const mean = f32x4.div(f32x4.mul(norm, norm), vRows);
  const at = colVar + (<usize>j << 2);
  const old = v128.load(at);
  v128.store(at, f32x4.add(high ? mean : old, f32x4.mul(vCoef, f32x4.sub(mean, old))));
}

/** Each column's mean square, f32(√Σᵢ g²)² / rows (Σ in row order), lerped into colVar. */
export function adafactorCols_f32(g: usize, colVar: usize, rows: i32, cols: i32, coef: f32, high: i32): void {
  const vCoef = f32x4.splat(coef), vRows = f32x4.splat(<f32>rows);
  const r = <f32>rows;
  if (cols == 1) {
    const norm = sqrt<f32>(sumSquares8(g, rows));
    const mean = (norm * norm) / r;
    const v = load<f32>(colVar);
    store<f32>(colVar, (high ? mean : v) + coef * (mean - v));
    return;
  }
  let j = 0;
  // Four columns per pass over the rows; the order of each column's sum is the rows' either way.
  if (high) for (; j + 4 <= cols; j += 4) colMeans(g, colVar, rows, cols, j, vCoef, vRows, true);
  else for (; j + 4 <= cols; j += 4) colMeans(g, colVar, rows, cols, j, vCoef, vRows, false);
  for (; j < cols; j++) {
    let s: f32 = 0;
    for (let i = 0; i < rows; i++) {
      const v = load<f32>(g + ((<usize>i * <usize>cols + <usize>j) << 2));
      s += v * v;
    }
    const norm = sqrt<f32>(s);
    const mean = (norm * norm) / r;
    const at = colVar + (<usize>j << 2);
    const v = load<f32>(at);
    store<f32>(at, (high ? mean : v) + coef * (mean - v));
  }
}

/** u = 1/√max(row[i]·col[j] / mean, floor) · g for a rows × cols matrix (u may be g: element-wise). */
export function adafactorUpdate_f32(g: usize, u: usize, rowVar: usize, colVar: usize, rows: i32, cols: i32, mean: f32, floor: f32): void {
  const vMean = f32x4.splat(mean), vFloor = f32x4.splat(floor), one = f32x4.splat(1);
  for (let i = 0; i < rows; i++) {
    const ri = load<f32>(rowVar + (<usize>i << 2));
    const vr = f32x4.splat(ri);
    const row = (<usize>i * <usize>cols) << 2;
    let j = 0;
    for (; j + 4 <= cols; j += 4) {
      const o = row + (<usize>j << 2);
      const v = f32x4.max(f32x4.div(f32x4.mul(vr, v128.load(colVar + (<usize>j << 2))), vMean), vFloor);
      v128.store(u + o, f32x4.mul(f32x4.div(one, f32x4.sqrt(v)), v128.load(g + o)));
    }
    for (; j < cols; j++) {
      const o = row + (<usize>j << 2);
      const v = max<f32>((ri * load<f32>(colVar + (<usize>j << 2))) / mean, floor);
      store<f32>(u + o, (<f32>1 / sqrt<f32>(v)) * load<f32>(g + o));
    }
  }
}

/** A vector's variance: variance = variance.lerp(g², w), then u = 1/√max(variance, floor) · g (u may be g). */
export function adafactor_f32(g: usize, variance: usize, u: usize, n: i32, coef: f32, high: i32, floor: f32): void {
  const vCoef = f32x4.splat(coef), vFloor = f32x4.splat(floor), one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = <usize>i << 2;
    const vg = v128.load(g + o);
    const sq = f32x4.mul(vg, vg);
    const old = v128.load(variance + o);
    const v = f32x4.add(high ? sq : old, f32x4.mul(vCoef, f32x4.sub(sq, old)));
    v128.store(variance + o, v);
    v128.store(u + o, f32x4.mul(f32x4.div(one, f32x4.sqrt(f32x4.max(v, vFloor))), vg));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const gi = load<f32>(g + o);
    const sq = gi * gi;
    const old = load<f32>(variance + o);
    const v = (high ? sq : old) + coef * (sq - old);
    store<f32>(variance + o, v);
    store<f32>(u + o, (<f32>1 / sqrt<f32>(max<f32>(v, floor))) * gi);
  }
}
