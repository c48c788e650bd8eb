// A page's Content-Security-Policy and what ravine needs of it (docs/browsers.md): script-src
// 'wasm-unsafe-eval' to compile the SIMD kernels, worker-src blob: to start the worker threads. Without
// either, ravine still runs (the JS backend; one thread) and rv.fallbackReason / rv.threadsReason name
// the policy and the directive. Each page is served cross-origin isolated, so that threads would
// otherwise start; the last proves the policy docs/browsers.md recommends gives both.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isWasmCspError, policyReason, workerCspReason } from '../src/backend/csp.js';
import { reportScript, servePages, skipBrowser } from './helpers/chromium.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const isolation = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

// Two threads asked for, then a step: what the page got, and whether it still trains.
const page = `<!doctype html><script type="importmap">
{ "imports": { "@assemblyscript/loader": "/node_modules/@assemblyscript/loader/index.js" } }
</script><script type="module">
${reportScript}
import { createRavine, SGD } from '/dist/index.js';
try {
  const rv = await createRavine({ threads: 2 });
  const w = rv.tensor('w', [1, 2, 3]);
  w.grad.fill(2);
  new SGD([w], { lr: 0.5 }).step();
  const simd = await createRavine({ backend: 'simd' }).then(() => null, (e) => e.name + ': ' + e.message);
  report({ isolated: crossOriginIsolated, backend: rv.backend, fallbackReason: rv.fallbackReason ?? null, threads: rv.threads,
    threadsReason: rv.threadsReason ?? null, w: Array.from(w.data), simdRejects: simd });
} catch (e) { report({ error: String(e?.stack ?? e) }); }
</script>`;

async function openWith(policy: string): Promise<Record<string, unknown>> {
  const server = await servePages((url) => (url === '/' ? { body: page, type: 'text/html' } : join(root, url)), {
    ...isolation,
    'Content-Security-Policy': policy,
  });
  try {
    return await server.open('/');
  } finally {
    server.close();
  }
}

describe.skipIf(skipBrowser)('a page with a Content-Security-Policy, in headless Chromium', () => {
  it("without 'wasm-unsafe-eval': the JS backend, and rv.fallbackReason names the Content-Security-Policy and 'wasm-unsafe-eval'", async () => {
    const result = await openWith("script-src 'self' 'unsafe-inline'; worker-src 'self' blob:");
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ isolated: true, backend: 'js', threads: 1, w: [0, 1, 2] });
    expect(result.fallbackReason).toMatch(/Content-Security-Policy/);
    expect(result.fallbackReason).toMatch(/script-src.*'wasm-unsafe-eval'/);
    expect(result.fallbackReason).not.toMatch(/is not a WebAssembly module/);
    // Asked for by name, 'simd' rejects with the same reason.
    expect(result.simdRejects).toMatch(/^WasmLoadError: .*Content-Security-Policy.*'wasm-unsafe-eval'/);
  }, 60_000);

  it('without blob: in worker-src: the SIMD backend on one thread, and rv.threadsReason names the Content-Security-Policy and worker-src', async () => {
    const result = await openWith("script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; worker-src 'self'");
    expect(result.error).toBeUndefined();
    expect(result).toMatchObject({ isolated: true, backend: 'simd', fallbackReason: null, threads: 1, w: [0, 1, 2], simdRejects: null });
    expect(result.threadsReason).toMatch(
      /^worker threads could not start: this page's Content-Security-Policy does not allow workers from blob: URLs.*its worker-src needs blob:$/,
    );
  }, 60_000);

  it('without worker-src, where script-src stands in for it and lacks blob:: one thread, and rv.threadsReason still names worker-src', async () => {
    const result = await openWith("script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'");
    expect(result).toMatchObject({ isolated: true, backend: 'simd', fallbackReason: null, threads: 1 });
    expect(result.threadsReason).toMatch(/Content-Security-Policy.*worker-src needs blob:/);
  }, 60_000);

  it("with connect-src refusing the wasm's URL: the JS backend, and rv.fallbackReason names the Content-Security-Policy and connect-src, not a network error", async () => {
    // The page may still post its report (/result/…); the binary, fetched from /build/, is refused.
    const result = await openWith("script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; worker-src 'self' blob:; connect-src http://127.0.0.1:*/result/");
    expect(result).toMatchObject({ isolated: true, backend: 'js', threads: 1 });
    expect(result.fallbackReason).toMatch(
      /Content-Security-Policy does not allow fetching the SIMD kernels from http:\/\/127\.0\.0\.1:\d+\/build\/ravine-shared\.wasm: its connect-src/,
    );
  }, 60_000);

  it('with Trusted Types required for scripts: the SIMD backend on one thread, and rv.threadsReason names the Content-Security-Policy and Trusted Types', async () => {
    const result = await openWith("script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; worker-src 'self' blob:; require-trusted-types-for 'script'");
    expect(result).toMatchObject({ isolated: true, backend: 'simd', fallbackReason: null, threads: 1 });
    expect(result.threadsReason).toMatch(
      /^worker threads could not start: this page's Content-Security-Policy requires Trusted Types for scripts \(require-trusted-types-for 'script'\)/,
    );
  }, 60_000);

  it("with 'wasm-unsafe-eval' and worker-src blob: (the policy docs/browsers.md gives): SIMD on two threads, no reasons", async () => {
    const result = await openWith("script-src 'self' 'unsafe-inline' 'wasm-unsafe-eval'; worker-src 'self' blob:");
    expect(result).toEqual({ isolated: true, backend: 'simd', fallbackReason: null, threads: 2, threadsReason: null, w: [0, 1, 2], simdRejects: null });
  }, 60_000);
});

describe("the policy's refusals as engines word them", () => {
  it('a compile refused by the policy is told apart from bytes that are not a module', () => {
    const refused = [
      // Chromium 14x (this machine's): the message the browser tests above see.
      "WebAssembly.compile(): Compiling or instantiating WebAssembly module violates the following Content Security policy directive because 'unsafe-eval' is not an allowed source of script in the following Content Security Policy directive: \"script-src 'self'\".",
      // Older Chromium.
      "WebAssembly.instantiate(): Refused to compile or instantiate WebAssembly module because neither 'wasm-eval' nor 'unsafe-eval' is an allowed source of script in the following Content Security Policy directive: \"script-src 'self'\"",
      // Firefox.
      'call to WebAssembly.compile() blocked by CSP',
    ];
    for (const message of refused) expect(isWasmCspError(new WebAssembly.CompileError(message)), message).toBe(true);
    expect(isWasmCspError(new WebAssembly.CompileError('WebAssembly.compile(): expected magic word 00 61 73 6d, found 3c 21 64 6f @+0'))).toBe(false);
  });

  it("a thread failure's message yields the policy's part, and nothing for other failures", () => {
    expect(policyReason(`ravine: worker thread 1 could not start: ${workerCspReason('worker-src')}`)).toBe(workerCspReason('worker-src'));
    expect(policyReason('ravine: worker thread 1 exited (code 1)')).toBeUndefined();
  });
});
