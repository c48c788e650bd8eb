import { engine, tensor, type Tensor as TfTensor, type Variable } from '@tensorflow/tfjs-core';

// Reading gradients out of TF.js and writing parameters back, with as few copies as each backend allows.
// TF.js's cpu backend keeps a tensor's floats in a Float32Array it hands out by readSync (no copy), and its
// wasm backend keeps them in its own heap (typedArrayFromHeap: a view, no copy). Elsewhere (webgl, webgpu,
// node) dataSync() is the only way, and may download a copy. Writing in place is done only on the cpu
// backend, and only into storage the variable alone refers to (refCount 1): a tensor sharing the
// variable's data (a clone, a reshape the user kept) must keep the old values. Never on the wasm backend:
// its XNNPACK matmul and conv operators pack a weight once and cache the packing by tensor id, so a
// weight changed in place keeps being read as it was (seen: model.fit stalled). There the new values go
// in as a new tensor through assign(), as TF.js's own optimizers do.

/** The narrow view of a TF.js backend this file relies on; checked before use. */
interface Backend {
  readSync?(dataId: object): unknown;
  refCount?(dataId: object): number;
  typedArrayFromHeap?(info: { shape: number[]; dtype: string; dataId: object }): unknown;
}

type Storage = 'cpu' | 'wasm' | 'other';

/** Which of TF.js's backends holds this tensor's data: only cpu's and wasm's storage is read and written directly. */
function storageOf(t: TfTensor): [Storage, Backend | null] {
  const e = engine();
  const backend = (e.state.tensorInfo.get(t.dataId) as { backend?: Backend } | undefined)?.backend ?? null;
  if (backend === null) return ['other', null];
  const registry = e.registry as Record<string, unknown>;
  if (backend === registry.wasm && typeof backend.typedArrayFromHeap === 'function' && typeof backend.refCount === 'function') return ['wasm', backend];
  if (backend === registry.cpu && typeof backend.readSync === 'function' && typeof backend.refCount === 'function') return ['cpu', backend];
  return ['other', backend];
}

/** The tensor's floats: TF.js's own storage where it can be had without a copy, else a copy (dataSync). */
export function floatsOf(t: TfTensor): Float32Array {
  const [kind, backend] = storageOf(t);
  const values =
    kind === 'wasm' ? backend!.typedArrayFromHeap!(t) :
    kind === 'cpu' ? backend!.readSync!(t.dataId) :
    t.dataSync();
  if (!(values instanceof Float32Array)) throw new TypeError(`TF.js tensor of dtype ${t.dtype}: ravine steps float32 tensors`);
  return values;
}

/**
 * Writes `values` into variable `v`: in place in the cpu backend's storage when the variable alone refers
 * to it (one pass, no allocation), else as a new tensor assigned to it (a copy TF.js then owns).
 */
export function writeVariable(v: Variable, values: Float32Array): void {
  const [kind, backend] = storageOf(v);
  if (kind === 'cpu' && backend!.refCount!(v.dataId) === 1) {
    (backend!.readSync!(v.dataId) as Float32Array).set(values);
    return;
  }
  // The wasm backend copies what it is given into its heap; the others may keep the array: hand them a
  // copy, never a view into ravine's heap.
  const fresh = tensor(kind === 'wasm' ? values : values.slice(), v.shape, 'float32');
  v.assign(fresh);
  fresh.dispose();
}
