// JS mirror of assembly/rprop.ts: same name, parameters, scalar slots and order of f32 operations. The
// clamp is written as torch's std::max then std::min (a comparison and a pick, as wasm's pmax/pmin), so
// −0 and NaN step sizes come out as in torch. V8 does not unswitch loops, so the flag is tested per element.
import { gradient, length, scalar, segment, slice, values } from './group.js';

const f = Math.fround;

/** The scalar block's slots (assembly/rprop.ts: enum RpropScalar). */
export const RpropScalar = { sign: 0, etaminus: 1, etaplus: 2, stepSizeMin: 3, stepSizeMax: 4, lr: 5 } as const;
export const RpropFlag = { first: 1 } as const;

function rpropSegment(
  h: Float32Array, p: number, g: number, prev: number, stepSize: number, n: number,
  sign: number, etaminus: number, etaplus: number, stepSizeMin: number, stepSizeMax: number, lr: number,
  first: boolean,
): void {
  const P = p >>> 2, G = g >>> 2, R = prev >>> 2, S = stepSize >>> 2;
  for (let i = 0; i < n; i++) {
    const gi = f(h[G + i] * sign);
    const product = f(gi * h[R + i]);
    const factor = product > 0 ? etaplus : product < 0 ? etaminus : 1;
    const scaled = f((first ? lr : h[S + i]) * factor);
    const raised = scaled < stepSizeMin ? stepSizeMin : scaled;
    const step = stepSizeMax < raised ? stepSizeMax : raised;
    const kept = factor === etaminus ? 0 : gi;
    const negSign = kept > 0 ? -1 : kept < 0 ? 1 : -0;
    h[S + i] = step;
    h[R + i] = kept;
    h[P + i] = f(h[P + i] + f(negSign * step));
  }
}

export function rprop_f32(
  h: Float32Array, u: Uint32Array, segments: number, prev: number, stepSize: number,
  count: number, scalars: number, flags: number,
): void {
  const first = (flags & RpropFlag.first) !== 0;
  const sign = scalar(h, scalars, RpropScalar.sign);
  const etaminus = scalar(h, scalars, RpropScalar.etaminus);
  const etaplus = scalar(h, scalars, RpropScalar.etaplus);
  const stepSizeMin = scalar(h, scalars, RpropScalar.stepSizeMin);
  const stepSizeMax = scalar(h, scalars, RpropScalar.stepSizeMax);
  const lr = scalar(h, scalars, RpropScalar.lr);
  for (let s = 0; s < count; s++) {
    const e = segment(segments, s);
    const at = slice(u, e);
    rpropSegment(
      h, values(u, e), gradient(u, e), prev + at, stepSize + at, length(u, e),
      sign, etaminus, etaplus, stepSizeMin, stepSizeMax, lr,
      first,
    );
  }
}
