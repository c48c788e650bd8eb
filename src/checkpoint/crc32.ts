// CRC-32 as zlib, PNG and gzip compute it (ISO 3309 / IEEE 802.3): reflected polynomial 0xEDB88320,
// initial value and final xor 0xFFFFFFFF. One 256-entry table, one byte per lookup (Sarwate, 1988).

const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/**
 * The CRC-32 of `bytes`, as an unsigned 32-bit integer. `previous` continues a running checksum, as
 * zlib's `crc32(crc, buf, len)` does: crc32(b, crc32(a)) is the CRC-32 of a followed by b.
 */
export function crc32(bytes: Uint8Array, previous = 0): number {
  let c = ~previous;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

// Locating a flipped bit. CRC-32 is affine: for two messages of one length, crc(a) ^ crc(b) depends only
// on a ^ b. A flip of bit b of byte j puts TABLE[1 << b] in the register at byte j, which the bytes after
// it carry on as zero bytes would (c -> TABLE[c & 0xff] ^ (c >>> 8)); so a mismatch stored ^ computed,
// walked back one byte at a time, equals TABLE[1 << b] at the flipped byte. The step walks back because
// TABLE's 256 entries have 256 different top bytes. No two single-bit flips in a message shorter than
// 2^32 − 1 bits (512 MiB) give the same mismatch, so a match names the bit.

/** For each top byte, the index of the TABLE entry that has it. */
const BY_TOP_BYTE = (() => {
  const index = new Uint8Array(256);
  for (let n = 0; n < 256; n++) index[TABLE[n] >>> 24] = n;
  return index;
})();

/** The register one zero byte earlier: the inverse of c -> TABLE[c & 0xff] ^ (c >>> 8). */
export function unstepZero(c: number): number {
  const n = BY_TOP_BYTE[c >>> 24];
  return (((c ^ TABLE[n]) << 8) | n) >>> 0;
}

/** TABLE[1 << b] -> b: what a flipped bit b of a byte puts in the register. */
const SINGLE_BITS = new Map(Array.from({ length: 8 }, (_, b) => [TABLE[1 << b], b]));

/**
 * The bit whose flip turns a `length`-byte message with CRC-32 `stored` into one with CRC-32 `computed`,
 * searched for in the byte ranges [from, to) of `ranges`: [byte, bit] (the flip is byte ^= 1 << bit), or
 * null when no single bit in them explains the mismatch. Walks back from the message's end: O(length).
 */
export function flippedBit(stored: number, computed: number, length: number, ranges: readonly (readonly [number, number])[]): [number, number] | null {
  let c = (stored ^ computed) >>> 0;
  let j = length - 1; // c is what the register holds after byte j
  const descending = ranges
    .map(([from, to]) => [Math.max(0, from), Math.min(to, length)])
    .filter(([from, to]) => from < to)
    .sort((a, b) => b[0] - a[0]);
  for (const [from, to] of descending) {
    for (; j >= to; j--) c = unstepZero(c);
    for (; j >= from; j--) {
      const bit = SINGLE_BITS.get(c);
      if (bit !== undefined) return [j, bit];
      c = unstepZero(c);
    }
  }
  return null;
}
