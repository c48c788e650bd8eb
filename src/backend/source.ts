// What createRavine accepts as the SIMD binary, and the error a failed load throws. Kept apart from
// wasm.ts so that the published declarations mention neither `WebAssembly` nor DOM types.

/** Anything with an `href`: a `URL` (declared structurally, so the published types need no DOM lib). */
export interface UrlLike {
  readonly href: string;
}

/**
 * Where the SIMD binary may come from: its bytes (an `ArrayBuffer` or a view of one), a compiled
 * `WebAssembly.Module`, or a URL: a `URL`, or a string resolved as `fetch` would (against the page in
 * a browser, the working directory in Node, where a plain path works too); fetched, or read from disk
 * in Node for `file:` URLs. `object` stands for `WebAssembly.Module` so that
 * the declarations compile without the DOM lib; anything else is rejected at run time.
 */
export type WasmSource = ArrayBuffer | ArrayBufferView | UrlLike | string | object;

/** A load that failed, saying what failed: the URL, the HTTP status, the file, or what the bytes are not. */
export class WasmLoadError extends Error {
  override name = 'WasmLoadError';
}
