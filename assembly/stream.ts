// The memory-bandwidth probe the benchmarks hold every update to: per element, the sum of `reads`
// f32 streams, scaled, is stored to the first `writes` of them, so one call moves exactly
// 4·(reads + writes) bytes per element, as an update with that many state streams must:
//   s = (x0 + x1 + … + x(reads−1))·scale;   xk = s for k < writes
// Memory contract: stream k holds n f32 at byte offset base + k·stride, any alignment; 1 ≤ reads ≤ 5
// and writes is reads or reads − 1 (an update reads every buffer it writes, and the gradient besides),
// or 5 reads and 1 write (Adafactor's passes: p and g read twice and g again, p written); other counts
// do nothing. Counts pick one specialised loop, never tested per element.

// @ts-ignore: decorator
@inline function streamLoop(base: usize, n: i32, stride: usize, scale: f32, reads: i32, writes: i32): void {
  const vScale = f32x4.splat(scale);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const o = base + (<usize>i << 2);
    let vs = v128.load(o);
    if (reads > 1) vs = f32x4.add(vs, v128.load(o + stride));
    if (reads > 2) vs = f32x4.add(vs, v128.load(o + 2 * stride));
    if (reads > 3) vs = f32x4.add(vs, v128.load(o + 3 * stride));
    if (reads > 4) vs = f32x4.add(vs, v128.load(o + 4 * stride));
    vs = f32x4.mul(vs, vScale);
    if (writes > 0) v128.store(o, vs);
    if (writes > 1) v128.store(o + stride, vs);
    if (writes > 2) v128.store(o + 2 * stride, vs);
    if (writes > 3) v128.store(o + 3 * stride, vs);
    if (writes > 4) v128.store(o + 4 * stride, vs);
  }
  for (; i < n; i++) {
    const o = base + (<usize>i << 2);
    let s = load<f32>(o);
    if (reads > 1) s = s + load<f32>(o + stride);
    if (reads > 2) s = s + load<f32>(o + 2 * stride);
    if (reads > 3) s = s + load<f32>(o + 3 * stride);
    if (reads > 4) s = s + load<f32>(o + 4 * stride);
    s = s * scale;
    if (writes > 0) store<f32>(o, s);
    if (writes > 1) store<f32>(o + stride, s);
    if (writes > 2) store<f32>(o + 2 * stride, s);
    if (writes > 3) store<f32>(o + 3 * stride, s);
    if (writes > 4) store<f32>(o + 4 * stride, s);
  }
}

export function stream_f32(base: usize, n: i32, stride: usize, reads: i32, writes: i32, scale: f32): void {
  switch (reads * 8 + writes) {
    case 1 * 8 + 0: streamLoop(base, n, stride, scale, 1, 0); break;
    case 1 * 8 + 1: streamLoop(base, n, stride, scale, 1, 1); break;
    case 2 * 8 + 1: streamLoop(base, n, stride, scale, 2, 1); break;
    case 2 * 8 + 2: streamLoop(base, n, stride, scale, 2, 2); break;
    case 3 * 8 + 2: streamLoop(base, n, stride, scale, 3, 2); break;
    case 3 * 8 + 3: streamLoop(base, n, stride, scale, 3, 3); break;
    case 4 * 8 + 3: streamLoop(base, n, stride, scale, 4, 3); break;
    case 4 * 8 + 4: streamLoop(base, n, stride, scale, 4, 4); break;
    case 5 * 8 + 1: streamLoop(base, n, stride, scale, 5, 1); break;
    case 5 * 8 + 4: streamLoop(base, n, stride, scale, 5, 4); break;
    case 5 * 8 + 5: streamLoop(base, n, stride, scale, 5, 5); break;
  }
}
