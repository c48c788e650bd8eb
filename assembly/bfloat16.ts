// bfloat16 <-> float32, for optimizer state kept in bfloat16 (the low-bit state formats): a float32 is
// rounded to its upper 16 bits to nearest, ties to even, as torch's Tensor.bfloat16() (c10's
// round_to_nearest_even), every NaN becoming 0x7FC0; widening shifts the 16 bits back up, exactly.
// Memory contract: `src` and `dst` are byte offsets of n elements (float32: 4 bytes, bfloat16: 2), any
// alignment, not overlapping. The JS mirror (src/kernels/bfloat16.ts) computes the same bits.

/** dst[i] = bfloat16(src[i]), rounded to nearest even; NaN to 0x7FC0. */
export function toBfloat16_f32(src: usize, dst: usize, n: i32): void {
  const bias = i32x4.splat(0x7fff), one = i32x4.splat(1), nan = i32x4.splat(0x7fc0);
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const x = v128.load(src + (<usize>i << 2));
    const lsb = v128.and(i32x4.shr_u(x, 16), one);
    const rounded = i32x4.shr_u(i32x4.add(x, i32x4.add(lsb, bias)), 16);
    const r = v128.bitselect(nan, rounded, f32x4.ne(x, x));
    v128.store64_lane(dst + (<usize>i << 1), i16x8.narrow_i32x4_u(r, r), 0);
  }
  for (; i < n; i++) {
    const f = load<f32>(src + (<usize>i << 2));
    const x = reinterpret<u32>(f);
    store<u16>(dst + (<usize>i << 1), f != f ? 0x7fc0 : <u16>((x + (((x >> 16) & 1) + 0x7fff)) >> 16));
  }
}

/** dst[i] = float32(src[i]): the bfloat16's bits as a float32's upper half. */
export function fromBfloat16_f32(src: usize, dst: usize, n: i32): void {
  let i = 0;
  for (; i + 4 <= n; i += 4) v128.store(dst + (<usize>i << 2), i32x4.shl(v128.load16x4_u(src + (<usize>i << 1)), 16));
  for (; i < n; i++) store<u32>(dst + (<usize>i << 2), <u32>load<u16>(src + (<usize>i << 1)) << 16);
}
