// JS mirror of assembly/group.ts: reading a group's segment table (four u32 per tensor: values,
// gradient, length, slice offset in the state buffers) and its scalar block (f32 slots).

/** Index in a Uint32Array of segment s's entry. */
export function segment(segments: number, s: number): number {
  return (segments >>> 2) + 4 * s;
}

export function values(u: Uint32Array, entry: number): number {
  return u[entry];
}

export function gradient(u: Uint32Array, entry: number): number {
  return u[entry + 1];
}

export function length(u: Uint32Array, entry: number): number {
  return u[entry + 2];
}

/** Byte offset of the tensor's slice from the start of every state buffer. */
export function slice(u: Uint32Array, entry: number): number {
  return u[entry + 3];
}

/** Slot `i` of the scalar block (already an f32: the block is float32 memory). */
export function scalar(h: Float32Array, scalars: number, i: number): number {
  return h[(scalars >>> 2) + i];
}
