// JS mirror of assembly/bfloat16.ts: the same bits (round to nearest even, NaN to 0x7FC0; widening exact).

export function toBfloat16_f32(h: Float32Array, u: Uint32Array, src: number, dst: number, n: number): void {
  const S = src >>> 2;
  const out = new Uint16Array(u.buffer, u.byteOffset + dst, n);
  for (let i = 0; i < n; i++) {
    const x = u[S + i];
    out[i] = Number.isNaN(h[S + i]) ? 0x7fc0 : ((x + ((x >>> 16) & 1) + 0x7fff) >>> 16) & 0xffff;
  }
}

export function fromBfloat16_f32(_h: Float32Array, u: Uint32Array, src: number, dst: number, n: number): void {
  const D = dst >>> 2;
  const from = new Uint16Array(u.buffer, u.byteOffset + src, n);
  for (let i = 0; i < n; i++) u[D + i] = (from[i] << 16) >>> 0;
}
