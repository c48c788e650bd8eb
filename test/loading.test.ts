// Loading the SIMD binary: a load that fails says what failed (the URL and HTTP status, the file, or
// what the bytes are not), 'simd' rejects with it, 'auto' falls back to js and says so, and a failed
// load is tried again next time. (The default binary's own recovery, in Node and in a page, is in
// package.test.ts, where the installed package's wasm can be taken away.)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRavine, WasmLoadError } from '../src/index.js';

const wasmFile = fileURLToPath(new URL('../build/ravine.wasm', import.meta.url));
const bytes = readFileSync(wasmFile);
// A valid SIMD module that is not ravine's: (module (func (result v128) (i8x16.splat (i32.const 0)))).
const notRavine = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 8, 1, 6, 0, 65, 0, 253, 15, 11]);

let origin = '';
let failuresLeft = 0;
const server = createServer((req, res) => {
  if (req.url === '/flaky.wasm' && failuresLeft > 0) {
    failuresLeft--;
    res.statusCode = 503;
    res.end();
  } else if (req.url === '/ravine.wasm' || req.url === '/flaky.wasm') {
    res.setHeader('content-type', 'application/wasm');
    res.end(bytes);
  } else if (req.url === '/octet.wasm') {
    res.setHeader('content-type', 'application/octet-stream'); // compileStreaming refuses this; the bytes still compile
    res.end(bytes);
  } else if (req.url === '/page.html') {
    res.setHeader('content-type', 'application/wasm');
    res.end('<!doctype html><h1>Not found</h1>');
  } else {
    res.statusCode = 404;
    res.end();
  }
});
beforeAll(
  () =>
    new Promise<void>((resolve) =>
      server.listen(0, '127.0.0.1', () => {
        origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        resolve();
      }),
    ),
);
afterAll(() => server.close());
afterEach(() => vi.restoreAllMocks());

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => {
      throw new Error('resolved, expected a rejection');
    },
    (e: Error) => e,
  );
}

describe("backend 'simd' rejects with an error that says what failed", () => {
  it('an HTTP error: the URL and the status', async () => {
    const e = await rejection(createRavine({ backend: 'simd', wasm: `${origin}/missing.wasm` }));
    expect(e).toBeInstanceOf(WasmLoadError);
    expect(e.message).toBe(`ravine: could not fetch the SIMD kernels from ${origin}/missing.wasm: HTTP 404 Not Found`);
  });
  it('a server that cannot be reached: the URL and the network error', async () => {
    const e = await rejection(createRavine({ backend: 'simd', wasm: new URL('http://127.0.0.1:9/ravine.wasm') }));
    expect(e).toBeInstanceOf(WasmLoadError);
    expect(e.message).toMatch(/^ravine: could not fetch the SIMD kernels from http:\/\/127\.0\.0\.1:9\/ravine\.wasm \(fetch failed\)$/);
  });
  it('a missing file: its URL and the system error', async () => {
    const e = await rejection(createRavine({ backend: 'simd', wasm: new URL('../build/no-such.wasm', import.meta.url) }));
    expect(e).toBeInstanceOf(WasmLoadError);
    expect(e.message).toMatch(/^ravine: could not read the SIMD kernels at file:\/\/\/.*\/build\/no-such\.wasm \(ENOENT/);
  });
  it('bytes that are not WebAssembly (an HTML page served as wasm)', async () => {
    const e = await rejection(createRavine({ backend: 'simd', wasm: `${origin}/page.html` }));
    expect(e).toBeInstanceOf(WasmLoadError);
    expect(e.message).toMatch(new RegExp(`^ravine: ${origin}/page.html is not a WebAssembly module this engine can compile \\(`));
  });
  it('a valid WebAssembly module that is not ravine: "not a ravine module", naming what is missing, never "heap_base is not a function"', async () => {
    const e = await rejection(createRavine({ backend: 'simd', wasm: notRavine }));
    expect(e).toBeInstanceOf(WasmLoadError);
    expect(e.message).toMatch(/^ravine: the wasm is not a ravine module of this version \(missing exports heap_base, sgd_f32, adam_f32, /);
  });
  it('a `wasm` option of the wrong kind is a TypeError naming the option, for auto too', async () => {
    for (const backend of ['simd', 'auto'] as const) {
      const e = await rejection(createRavine({ backend, wasm: 42 as never }));
      expect(e).toBeInstanceOf(TypeError);
      expect(e.message).toBe('createRavine: wasm must be bytes, a WebAssembly.Module, a URL or a string, got Number');
    }
  });
});

describe("backend 'auto' falls back to js when the binary cannot be had, and says so", () => {
  it('warns with the reason, runs on js, and keeps the reason in rv.fallbackReason', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const rv = await createRavine({ wasm: `${origin}/missing.wasm` });
    expect(rv.backend).toBe('js');
    expect(rv.fallbackReason).toBe(`ravine: could not fetch the SIMD kernels from ${origin}/missing.wasm: HTTP 404 Not Found`);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(`${rv.fallbackReason}; falling back to the JS backend (bit-identical, slower)`);
    const w = rv.tensor('w', [1, 2, 3]);
    expect(w.data[2]).toBe(3);
  });
  it('a module that is not ravine falls back too', async () => {
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    const rv = await createRavine({ wasm: notRavine });
    expect(rv.backend).toBe('js');
    expect(rv.fallbackReason).toMatch(/not a ravine module/);
  });
  it('no fallback, no reason, no warning when simd loads', async () => {
    const warn = vi.spyOn(console, 'warn');
    const rv = await createRavine();
    expect(rv.backend).toBe('simd');
    expect(rv.fallbackReason).toBeUndefined();
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('loading recovers', () => {
  it('after two HTTP 503s the third createRavine of the same URL gets simd', async () => {
    failuresLeft = 2;
    const url = `${origin}/flaky.wasm`;
    await expect(createRavine({ backend: 'simd', wasm: url })).rejects.toThrow(`${url}: HTTP 503`);
    vi.spyOn(console, 'warn').mockImplementation(() => {});
    expect((await createRavine({ wasm: url })).backend).toBe('js');
    expect((await createRavine({ wasm: url })).backend).toBe('simd');
  });
});

describe('where the binary may come from', () => {
  it('a URL served as application/wasm (compileStreaming) or as octet-stream (compiled from the bytes)', async () => {
    expect((await createRavine({ backend: 'simd', wasm: `${origin}/ravine.wasm` })).backend).toBe('simd');
    expect((await createRavine({ backend: 'simd', wasm: new URL(`${origin}/octet.wasm`) })).backend).toBe('simd');
  });
  it('in Node, a string is a path relative to the working directory, or an absolute path', async () => {
    expect((await createRavine({ backend: 'simd', wasm: relative(process.cwd(), wasmFile) })).backend).toBe('simd');
    expect((await createRavine({ backend: 'simd', wasm: wasmFile })).backend).toBe('simd');
  });
});
