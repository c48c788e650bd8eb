// The quantization maps of torchao's low-bit optimizers (torchao/optim/quant_utils.py, after bitsandbytes'
// dynamic data type), built as torchao builds them: in float32, from torch's float32 linspace, so that
// every entry is torchao's bit for bit (test/quantMaps.test.ts holds them to the recorded maps). A code
// is an index into its map; a moment is map[code]·scale of its block.

const f = Math.fround;

/** torch.linspace(start, end, steps) in float32 (its CPU kernel: from both ends, meeting half-way). */
export function linspace32(start: number, end: number, steps: number): Float32Array {
  const s = f(start),
    e = f(end);
  const step = f(f(e - s) / (steps - 1));
  const half = Math.floor(steps / 2);
  return Float32Array.from({ length: steps }, (_, i) => (i < half ? f(s + f(step * i)) : f(e - f(step * (steps - i - 1)))));
}

/** 10^k as Python writes it (correctly rounded; Math.pow need not be). */
const tenTo = (k: number) => Number.parseFloat(`1e${k}`);

/**
 * torchao's create_dynamic_map: for each exponent i < maxExponentBits, the midpoints of a float32
 * linspace over [0.1, 1] scaled by 10^(i − maxExponentBits + 1) (and their negatives when signed), then 0
 * and 1, sorted. 2^totalBits entries in [−1, 1] (signed) or [0, 1], dense near 0.
 */
export function dynamicMap(signed: boolean, maxExponentBits = 7, totalBits = 8): Float32Array {
  const data: number[] = [];
  const nonSignBits = totalBits - 1; // torchao's `total_bits - (1 if signed else 1)`
  const extra = 2 ** (nonSignBits - maxExponentBits) - 1;
  const add = (items: number, i: number) => {
    const b = linspace32(0.1, 1, items);
    const scale = f(tenTo(-(maxExponentBits - 1) + i));
    for (let j = 0; j + 1 < b.length; j++) {
      const mean = f(f(b[j] + b[j + 1]) / 2);
      data.push(f(scale * mean));
      if (signed) data.push(-f(scale * mean));
    }
  };
  for (let i = 0; i < maxExponentBits; i++) add(2 ** (i + nonSignBits - maxExponentBits + (signed ? 0 : 1)) + 1, i);
  if (extra > 0) add(extra + 1, maxExponentBits - 1);
  data.push(0, 1);
  if (data.length !== 2 ** totalBits) throw new RangeError(`dynamicMap: ${data.length} entries for ${totalBits} bits`);
  return Float32Array.from(data.sort((a, b) => a - b));
}

/** The maps torchao's 8-bit and 4-bit Adam use: signed for the first moment, unsigned for the second. */
export const QUANT_MAPS = {
  signed8: dynamicMap(true),
  unsigned8: dynamicMap(false),
  signed4: dynamicMap(true, 3, 4),
  /** torch.linspace(0, 1, 17)[1:]: the second moment's 4-bit map, linear (no zero: it is ≥ 0 and divides). */
  unsigned4Linear: linspace32(0, 1, 17).slice(1),
} as const;

/**
 * torchao's quantize_{8,4}bit_with_qmap for one value already divided by its block's scale: the largest
 * code whose entry is ≤ x by a branchless binary search, then one up if x is at least half-way to the
 * next entry (ties up). NaN lands on code 0, as torchao's comparisons (all false) leave it.
 */
export function quantizeCode(x: number, map: Float32Array): number {
  const top = map.length - 1;
  let code = 0;
  for (let step = map.length >> 1; step >= 1; step >>= 1) if (x >= map[code + step]) code += step;
  const up = Math.min(code + 1, top);
  const down = map[code];
  return f(x - down) >= f(f(map[up] - down) * 0.5) ? up : code;
}
