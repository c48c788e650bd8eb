import { describe } from '../describe.js';
import type { Tensor } from '../tensor.js';
import { readFloat32 } from './savedBuffers.js';

// An AveragedParams checkpoint (torch's AveragedModel state_dict: `n_averaged` and the averaged copy's
// parameters), and the checks loadStateDict runs on one before anything changes.

export interface AveragedStateDict {
  readonly format: 'ravine/averaged';
  readonly version: 1;
  /** How the values were averaged; loading refuses a dict of another mode or decay. */
  readonly mode: 'swa' | 'ema';
  readonly decay: number | null;
  /** Updates so far: torch's `n_averaged`. */
  readonly numAveraged: number;
  /** The averaged values, by tensor name (a Float32Array, an array of numbers, or JSON's `{ float32 }`). */
  readonly averaged: Readonly<Record<string, Float32Array>>;
}

const KEYS = ['format', 'version', 'mode', 'decay', 'numAveraged', 'averaged'];

/** What a dict is checked against: the copy it is loaded into. */
interface Target {
  readonly tensors: readonly Tensor[];
  readonly mode: 'swa' | 'ema';
  readonly decay: number | null;
}

/** A whole dict, checked against `target`: its count, and each tensor's averaged values in tensor order. */
export function readAveragedState(where: string, dict: unknown, target: Target): { numAveraged: number; values: Float32Array[] } {
  if (typeof dict !== 'object' || dict === null || (dict as { format?: unknown }).format !== 'ravine/averaged') {
    throw new TypeError(`${where}: not a ravine averaged-parameters state dict (format 'ravine/averaged')`);
  }
  const d = dict as Record<string, unknown>;
  for (const key of Object.keys(d)) {
    if (!KEYS.includes(key)) throw new TypeError(`${where}: unknown key ${describe(key)} (keys are ${KEYS.join(', ')})`);
  }
  if (d.version !== 1) throw new TypeError(`${where}: state dict version ${describe(d.version)} is not one this ravine reads (1)`);
  if (d.mode !== target.mode) throw new TypeError(`${where}: state dict averages with mode ${describe(d.mode)}, this AveragedParams with '${target.mode}'`);
  if (d.decay !== target.decay) throw new RangeError(`${where}: state dict has decay ${describe(d.decay)}, this AveragedParams ${describe(target.decay)}`);
  const n = d.numAveraged;
  if (typeof n !== 'number') throw new TypeError(`${where}: numAveraged must be a number, got ${describe(n)}`);
  if (!(Number.isSafeInteger(n) && n >= 0)) throw new RangeError(`${where}: invalid numAveraged = ${describe(n)}: must be an integer >= 0`);
  const averaged = d.averaged;
  if (typeof averaged !== 'object' || averaged === null || Array.isArray(averaged)) {
    throw new TypeError(`${where}: averaged must be an object keyed by tensor name, got ${describe(averaged)}`);
  }
  const names = new Set(target.tensors.map((t) => t.name));
  for (const name of Object.keys(averaged)) {
    if (!names.has(name)) throw new RangeError(`${where}: averaged values for tensor ${describe(name)}, which this AveragedParams does not hold`);
  }
  const values = target.tensors.map((t) => {
    const saved = Object.hasOwn(averaged, t.name) ? (averaged as Record<string, unknown>)[t.name] : undefined;
    if (saved === undefined) throw new TypeError(`${where}: averaged values for tensor '${t.name}' are missing`);
    return readFloat32(`${where}: averaged '${t.name}'`, saved, t.size, false);
  });
  return { numAveraged: n, values };
}
