// torch's CPU sum of a contiguous float32 vector (aten/src/ATen/native/cpu/SumKernel.cpp, cascade_sum,
// with ATEN_CPU_CAPABILITY=default: 8-float vectors), reproduced on the host so that a mean torch takes
// (Adafactor's row factor's) is its own bit for bit. It runs on the host for both backends: it reads one
// float per matrix row, not per element.

const f = Math.fround;
const LANES = 8;
const ILP = 4;
const LEVELS = 4;

/** ⌈log₂ x⌉ as torch's utils::CeilLog2 (1 for x ≤ 2). */
function ceilLog2(x: number): number {
  return x <= 2 ? 1 : 32 - Math.clz32(x - 1);
}

/**
 * torch's multi_row_sum: `size` rows of ILP columns (each column `width` floats wide, a lane each), summed
 * per column in chunks that cascade through LEVELS accumulators. `at(row, column, lane)` reads an element.
 */
function multiRowSum(size: number, width: number, at: (row: number, column: number, lane: number) => number): Float64Array[] {
  const power = Math.max(4, Math.floor(ceilLog2(size) / LEVELS));
  const step = 2 ** power,
    mask = step - 1;
  const acc = Array.from({ length: LEVELS }, () => Array.from({ length: ILP }, () => new Float64Array(width)));
  const addRow = (i: number) => {
    for (let k = 0; k < ILP; k++) for (let l = 0; l < width; l++) acc[0][k][l] = f(acc[0][k][l] + at(i, k, l));
  };
  let i = 0;
  while (i + step <= size) {
    for (let j = 0; j < step; j++, i++) addRow(i);
    for (let j = 1; j < LEVELS; j++) {
      for (let k = 0; k < ILP; k++)
        for (let l = 0; l < width; l++) {
          acc[j][k][l] = f(acc[j][k][l] + acc[j - 1][k][l]);
          acc[j - 1][k][l] = 0;
        }
      if ((i & (mask * 2 ** (j * power))) !== 0) break;
    }
  }
  for (; i < size; i++) addRow(i);
  for (let j = 1; j < LEVELS; j++) for (let k = 0; k < ILP; k++) for (let l = 0; l < width; l++) acc[0][k][l] = f(acc[0][k][l] + acc[j][k][l]);
  return acc[0];
}

/** torch's row_sum: `n` items (of `width` lanes) as rows of ILP, then the leftover items, then the ILP partial sums in order. */
function rowSum(n: number, width: number, item: (index: number, lane: number) => number): Float64Array {
  const size = Math.floor(n / ILP);
  const partial = multiRowSum(size, width, (row, column, lane) => item(row * ILP + column, lane));
  for (let i = size * ILP; i < n; i++) for (let l = 0; l < width; l++) partial[0][l] = f(partial[0][l] + item(i, l));
  for (let k = 1; k < ILP; k++) for (let l = 0; l < width; l++) partial[0][l] = f(partial[0][l] + partial[k][l]);
  return partial[0];
}

/** Σ h[start … start + n) in torch's order for a contiguous float32 reduction (torch.sum, and mean's sum). */
export function torchSum(h: Float32Array, start: number, n: number): number {
  if (n < LANES) return rowSum(n, 1, (i) => h[start + i])[0];
  // Vectors of 8 through the cascade; the elements past the last whole vector first, then the 8 lanes in order.
  const vectors = Math.floor(n / LANES);
  const lanes = rowSum(vectors, LANES, (v, l) => h[start + v * LANES + l]);
  let sum = 0;
  for (let i = vectors * LANES; i < n; i++) sum = f(sum + h[start + i]);
  for (let l = 0; l < LANES; l++) sum = f(sum + lanes[l]);
  return sum;
}
