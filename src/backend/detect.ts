// The smallest module that uses a SIMD opcode: (func (result v128) (i8x16.splat (i32.const 0))).
// Feature detection by validation, as wasm-feature-detect does: compiles nothing, allocates nothing.
const SIMD_PROBE = new Uint8Array([
  0x00,
  0x61,
  0x73,
  0x6d,
  0x01,
  0x00,
  0x00,
  0x00, // magic, version 1
  0x01,
  0x05,
  0x01,
  0x60,
  0x00,
  0x01,
  0x7b, //       type section: () -> v128
  0x03,
  0x02,
  0x01,
  0x00, //                         function section: one function of type 0
  0x0a,
  0x08,
  0x01,
  0x06,
  0x00,
  0x41,
  0x00,
  0xfd,
  0x0f,
  0x0b, // code: i32.const 0; i8x16.splat; end
]);

/** What detection needs of the `WebAssembly` namespace (declared here so the published types need no DOM lib). */
export interface WasmValidator {
  validate(bytes: Uint8Array): boolean;
}

/**
 * True when this engine has WebAssembly with fixed-width SIMD. Never throws (no WebAssembly under
 * --jitless). `wasm` defaults to the global `WebAssembly`; tests pass their own to force a branch.
 */
export function simdSupported(wasm: WasmValidator | undefined = (globalThis as { WebAssembly?: WasmValidator }).WebAssembly): boolean {
  try {
    return typeof wasm === 'object' && wasm !== null && wasm.validate(SIMD_PROBE);
  } catch {
    return false;
  }
}
