// The smallest module that uses a SIMD opcode: (func (result v128) (i8x16.splat (i32.const 0))).
// Feature detection by validation, as wasm-feature-detect does: compiles nothing, allocates nothing.
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, //       type section: () -> v128
  0x03, 0x02, 0x01, 0x00, //                         function section: one function of type 0
  0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b, // code: i32.const 0; i8x16.splat; end
]);

/** True when this engine has WebAssembly with fixed-width SIMD. Never throws (no WebAssembly under --jitless). */
export function simdSupported(wasm: typeof WebAssembly | undefined = globalThis.WebAssembly): boolean {
  try {
    return typeof wasm === 'object' && wasm !== null && wasm.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}
