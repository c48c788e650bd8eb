// A parameter group as the kernels walk it (src/memory/group.ts lays it out): the segment table holds,
// for each tensor, four u32 — the byte offset of its values, of its gradient, its length, and the byte
// offset of its slice within each state buffer — and the scalar block holds the step's f32 scalars,
// in slots each kernel file names. Mirrored line for line by src/kernels/group.ts.

/** Byte offset of segment s's entry. */
// @ts-ignore: decorator
@inline export function segment(segments: usize, s: i32): usize {
  return segments + (<usize>s << 4);
}

// @ts-ignore: decorator
@inline export function values(entry: usize): usize {
  return <usize>load<u32>(entry);
}

// @ts-ignore: decorator
@inline export function gradient(entry: usize): usize {
  return <usize>load<u32>(entry, 4);
}

// @ts-ignore: decorator
@inline export function length(entry: usize): i32 {
  return load<i32>(entry, 8);
}

/** Byte offset of the tensor's slice from the start of every state buffer. */
// @ts-ignore: decorator
@inline export function slice(entry: usize): usize {
  return <usize>load<u32>(entry, 12);
}

/** Slot `i` of the scalar block. */
// @ts-ignore: decorator
@inline export function scalar(scalars: usize, i: i32): f32 {
  return load<f32>(scalars + (<usize>i << 2));
}
