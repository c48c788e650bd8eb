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
