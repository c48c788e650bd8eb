import { engine, tensor, type Tensor as TfTensor, type Variable } from '@tensorflow/tfjs-core';

// Reading gradients out of TF.js and writing parameters back, with as few copies as each backend allows.
// TF.js's cpu backend keeps a tensor's floats in a Float32Array it hands out by readSync (no copy), and its
// wasm backend keeps them in its own heap (typedArrayFromHeap: a view, no copy). Elsewhere (webgl, webgpu,
// node) dataSync() is the only way, and may download a copy. Those arrays are only ever read.
//
// New values go in as TF.js's own optimizers put them: a new tensor, assigned to the variable. Never in
// place, on any backend: the cpu backend's dataSync() and data() hand out its storage itself, so an array a
// user kept (a snapshot of the best weights) would change with the variable; a clone or a reshape may
// share the storage; and the wasm backend's XNNPACK matmul and conv operators cache a weight's packing by
// tensor id, so a weight changed in place would go on being read as it was. No array TF.js has handed out
// can be proven private, so none is written.

/** The narrow view of a TF.js backend this file relies on; checked before use. */
interface Backend {
  readSync?(dataId: object): unknown;
  typedArrayFromHeap?(info: { shape: number[]; dtype: string; dataId: object }): unknown;
}

type Storage = 'cpu' | 'wasm' | 'other';

/** Which of TF.js's backends holds this tensor's data: only cpu's and wasm's storage is read directly. */
function storageOf(t: TfTensor): [Storage, Backend | null] {
  const e = engine();
  const backend = (e.state.tensorInfo.get(t.dataId) as { backend?: Backend } | undefined)?.backend ?? null;
  if (backend === null) return ['other', null];
  const registry = e.registry as Record<string, unknown>;
  if (backend === registry.wasm && typeof backend.typedArrayFromHeap === 'function') return ['wasm', backend];
  if (backend === registry.cpu && typeof backend.readSync === 'function') return ['cpu', backend];
  return ['other', backend];
}

/** The tensor's floats, to read: TF.js's own storage where it can be had without a copy, else a copy (dataSync). */
export function floatsOf(t: TfTensor): Float32Array {
  const [kind, backend] = storageOf(t);
  const values = kind === 'wasm' ? backend!.typedArrayFromHeap!(t) : kind === 'cpu' ? backend!.readSync!(t.dataId) : t.dataSync();
  if (!(values instanceof Float32Array)) throw new TypeError(`TF.js tensor of dtype ${t.dtype}: ravine steps float32 tensors`);
  return values;
}

/**
 * Gives variable `v` the values `values` as TF.js's optimizers do, `v.assign(tensor)`: its old data is
 * left as it was, for whoever holds it.
 */
export function writeVariable(v: Variable, values: Float32Array): void {
  // The wasm backend copies what it is given into its heap; the others keep the array they are given:
  // hand them a copy of their own, never a view into ravine's heap.
  const [kind] = storageOf(v);
  const fresh = tensor(kind === 'wasm' ? values : values.slice(), v.shape, 'float32');
  v.assign(fresh);
  fresh.dispose();
}
