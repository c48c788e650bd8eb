// JS mirror of assembly/stream.ts (the bandwidth probe): same name, parameters and f32 operation order.
// It takes the heap's Uint32Array view like every float32 mirror (backend/kernels.ts), but reads no
// segment table, so `_u` goes unused.
const f = Math.fround;

export function stream_f32(h: Float32Array, _u: Uint32Array, base: number, n: number, stride: number, reads: number, writes: number, scale: number): void {
  scale = f(scale);
  if (reads < 1 || reads > 5 || (writes !== reads && writes !== reads - 1 && !(reads === 5 && writes === 1))) return;
  const B = base >>> 2, S = stride >>> 2;
  for (let i = 0; i < n; i++) {
    let s = h[B + i];
    for (let k = 1; k < reads; k++) s = f(s + h[B + k * S + i]);
    s = f(s * scale);
    for (let k = 0; k < writes; k++) h[B + k * S + i] = s;
  }
}
