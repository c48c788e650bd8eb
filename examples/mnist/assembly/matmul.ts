// The three matrix products of the example's MLP as f32x4 kernels (../matmul.ts is their mirror in
// TypeScript, operation for operation, so both give the same bits; no FMA, no reassociation).
// Memory contract: byte offsets of row-major f32 matrices in this module's memory, then the sizes; each
// adds into `out`, which aliases neither operand; any n (four lanes, then a scalar tail); no alignment
// needed; a zero in `a` is skipped (MNIST's pixels are ~80% zeros).

/** out[m×n] += a[m×k] · b[k×n] */
export function addMulAB(out: usize, a: usize, b: usize, m: i32, k: i32, n: i32): void {
  for (let i = 0; i < m; i++) {
    const row = out + (<usize>(i * n) << 2);
    for (let p = 0; p < k; p++) {
      const av = load<f32>(a + (<usize>(i * k + p) << 2));
      if (av == 0) continue;
      addScaled(row, b + (<usize>(p * n) << 2), av, n);
    }
  }
}

/** out[k×n] += a[m×k]ᵀ · b[m×n] */
export function addMulATB(out: usize, a: usize, b: usize, m: i32, k: i32, n: i32): void {
  for (let i = 0; i < m; i++) {
    const row = b + (<usize>(i * n) << 2);
    for (let p = 0; p < k; p++) {
      const av = load<f32>(a + (<usize>(i * k + p) << 2));
      if (av == 0) continue;
      addScaled(out + (<usize>(p * n) << 2), row, av, n);
    }
  }
}

/** out[m×k] += a[m×n] · b[k×n]ᵀ */
export function addMulABT(out: usize, a: usize, b: usize, m: i32, k: i32, n: i32): void {
  for (let i = 0; i < m; i++) {
    const row = a + (<usize>(i * n) << 2);
    for (let p = 0; p < k; p++) {
      const o = out + (<usize>(i * k + p) << 2);
      store<f32>(o, load<f32>(o) + dot(row, b + (<usize>(p * n) << 2), n));
    }
  }
}

/** y[0..n) += s·x[0..n) */
// @ts-ignore: decorator
@inline function addScaled(y: usize, x: usize, s: f32, n: i32): void {
  const vs = f32x4.splat(s);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    v128.store(y + o, f32x4.add(v128.load(y + o), f32x4.mul(vs, v128.load(x + o))));
  }
  for (; j < n; j++) {
    const o = <usize>j << 2;
    store<f32>(y + o, load<f32>(y + o) + s * load<f32>(x + o));
  }
}

/** Σ x[j]·y[j]: four lane sums, combined left to right, then the tail. */
// @ts-ignore: decorator
@inline function dot(x: usize, y: usize, n: i32): f32 {
  let vsum = f32x4.splat(0);
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const o = <usize>j << 2;
    vsum = f32x4.add(vsum, f32x4.mul(v128.load(x + o), v128.load(y + o)));
  }
  let sum = f32x4.extract_lane(vsum, 0) + f32x4.extract_lane(vsum, 1) + f32x4.extract_lane(vsum, 2) + f32x4.extract_lane(vsum, 3);
  for (; j < n; j++) {
    const o = <usize>j << 2;
    sum += load<f32>(x + o) * load<f32>(y + o);
  }
  return sum;
}
