// Float32 matrix products, for the optimizers that work on weight matrices (Muon's Newton–Schulz
// iteration). Row-major, byte offsets; the output must not overlap an input. Nothing is allocated.
//
// Summation order, shared with the JS mirror (src/kernels/matmul.ts) and with any split of the rows
// across threads, so all give the same bits: c[i][j] = ((0 + a[i][0]·b[0][j]) + a[i][1]·b[1][j]) + …,
// over p = 0 … k−1 in order, every product rounded before it is added (no FMA). The 4×8 register
// blocks vectorise across j (two f32x4 per row, four rows), each lane keeping that order. Each column
// block's B panel (k×8 floats) is first copied to `packed` (k·32 bytes of the caller's scratch), so the
// row blocks stream through it contiguously: in place, its rows lie n floats apart, one page each at
// n = 1024, and the product ran at three quarters of the packed speed (measured).

// @ts-ignore: decorator
@inline function block4x8(a: usize, b: usize, c: usize, k: i32, rowA: usize, rowB: usize, rowC: usize): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0);
  let pa = a, pb = b;
  for (let p = 0; p < k; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    const a0 = v128.load32_splat(pa);
    const a1 = v128.load32_splat(pa + rowA);
    const a2 = v128.load32_splat(pa + 2 * rowA);
    const a3 = v128.load32_splat(pa + 3 * rowA);
    c00 = f32x4.add(c00, f32x4.mul(a0, b0)); c01 = f32x4.add(c01, f32x4.mul(a0, b1));
    c10 = f32x4.add(c10, f32x4.mul(a1, b0)); c11 = f32x4.add(c11, f32x4.mul(a1, b1));
    c20 = f32x4.add(c20, f32x4.mul(a2, b0)); c21 = f32x4.add(c21, f32x4.mul(a2, b1));
    c30 = f32x4.add(c30, f32x4.mul(a3, b0)); c31 = f32x4.add(c31, f32x4.mul(a3, b1));
    pa += 4;
    pb += rowB;
  }
  v128.store(c, c00); v128.store(c, c01, 16);
  v128.store(c + rowC, c10); v128.store(c + rowC, c11, 16);
  v128.store(c + 2 * rowC, c20); v128.store(c + 2 * rowC, c21, 16);
  v128.store(c + 3 * rowC, c30); v128.store(c + 3 * rowC, c31, 16);
}

// One row of a column block of 8.
// @ts-ignore: decorator
@inline function block1x8(a: usize, b: usize, c: usize, k: i32, rowB: usize): void {
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0);
  let pa = a, pb = b;
  for (let p = 0; p < k; p++) {
    const a0 = v128.load32_splat(pa);
    c0 = f32x4.add(c0, f32x4.mul(a0, v128.load(pb)));
    c1 = f32x4.add(c1, f32x4.mul(a0, v128.load(pb, 16)));
    pa += 4;
    pb += rowB;
  }
  v128.store(c, c0);
  v128.store(c, c1, 16);
}

/** C (m×n) = A (m×k) · B (k×n), in the order above; `packed` is scratch for k·32 bytes, 16-byte aligned. */
export function matmul_f32(a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, packed: usize): void {
  const rowA = <usize>k << 2, rowB = <usize>n << 2, rowC = rowB;
  let j = 0;
  for (; j + 8 <= n; j += 8) {
    const bj = b + (<usize>j << 2), cj = c + (<usize>j << 2);
    for (let p = 0; p < k; p++) {
      const from = bj + <usize>p * rowB, to = packed + (<usize>p << 5);
      v128.store(to, v128.load(from));
      v128.store(to, v128.load(from, 16), 16);
    }
    let i = 0;
    for (; i + 4 <= m; i += 4) block4x8(a + <usize>i * rowA, packed, cj + <usize>i * rowC, k, rowA, 32, rowC);
    for (; i < m; i++) block1x8(a + <usize>i * rowA, packed, cj + <usize>i * rowC, k, 32);
  }
  // The last n mod 8 columns, one element at a time, in the same order.
  for (; j < n; j++) {
    for (let i = 0; i < m; i++) {
      let s: f32 = 0;
      let pa = a + <usize>i * rowA, pb = b + (<usize>j << 2);
      for (let p = 0; p < k; p++) {
        s = s + load<f32>(pa) * load<f32>(pb);
        pa += 4;
        pb += rowB;
      }
      store<f32>(c + <usize>i * rowC + (<usize>j << 2), s);
    }
  }
}

/** T (n×m) = Aᵀ for A (m×n). */
export function transpose_f32(a: usize, t: usize, m: i32, n: i32): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) store<f32>(t + ((<usize>j * m + i) << 2), load<f32>(a + ((<usize>i * n + j) << 2)));
  }
}

/**
 * `count` products from a task table, each task 8 u32: a, b, c, m, k, n, packed (byte offsets and sizes)
 * and a pad. The thread pool splits a big product by rows into one task per thread, each with its own
 * panel (src/optim/products.ts): every element's sum keeps its order, so the split changes no bit.
 */
export function matmulTasks_f32(tasks: usize, count: i32): void {
  for (let t = 0; t < count; t++) {
    const at = tasks + (<usize>t << 5);
    matmul_f32(<usize>load<u32>(at), <usize>load<u32>(at, 4), <usize>load<u32>(at, 8), load<i32>(at, 12), load<i32>(at, 16), load<i32>(at, 20), <usize>load<u32>(at, 24));
  }
}
