// Backend choice: detection is one small function that never throws, 'auto' picks SIMD where it
// validates, each backend can be forced, and the release build really is SIMD code.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRavine, simdSupported } from '../src/index.js';
import { optimizerRegistry } from '../src/optim/registry.js';

describe('SIMD detection', () => {
  it('is true on this engine', () => {
    expect(simdSupported()).toBe(true);
  });
  it('is false, without throwing, when there is no WebAssembly (as under --jitless)', () => {
    expect(simdSupported(null as never)).toBe(false);
  });
  it('is false, without throwing, when validate rejects or throws', () => {
    expect(simdSupported({ validate: () => false } as never)).toBe(false);
    expect(
      simdSupported({
        validate: () => {
          throw new Error('no');
        },
      } as never),
    ).toBe(false);
  });
  it('auto picks simd here; js and simd can be forced', async () => {
    expect((await createRavine()).backend).toBe('simd');
    expect((await createRavine({ backend: 'js' })).backend).toBe('js');
    expect((await createRavine({ backend: 'simd' })).backend).toBe('simd');
  });
  it('accepts the binary as bytes or as a compiled module', async () => {
    const bytes = readFileSync(new URL('../build/ravine.wasm', import.meta.url));
    expect((await createRavine({ wasm: bytes })).backend).toBe('simd');
    expect((await createRavine({ wasm: await WebAssembly.compile(bytes) })).backend).toBe('simd');
  });
});

describe('the release build', () => {
  const wat = readFileSync(new URL('../build/ravine.wat', import.meta.url), 'utf8');
  const kernels = [...new Set(Object.values(optimizerRegistry).map((e) => e.kernel))];
  it('has a kernel for every first-order optimizer in the registry', () => {
    expect(kernels.length).toBe(14); // Adam and AdamW share one
    for (const kernel of kernels) expect(wat).toContain(`(export "${kernel}" `);
  });
  for (const kernel of kernels) {
    const name = kernel.replace(/_f32$/, '');
    it(`${kernel} is vectorised: its body uses f32x4 arithmetic and v128 loads`, () => {
      const start = wat.indexOf(`\n (func $assembly/${name}/${name}_f32 `);
      expect(start).toBeGreaterThan(0);
      const end = wat.indexOf('\n (func ', start + 1);
      const body = wat.slice(start, end < 0 ? undefined : end);
      expect(body).toMatch(/f32x4\.(mul|add)/);
      expect(body).toMatch(/v128\.load/);
      expect(body).not.toMatch(/relaxed|fma/);
    });
  }
});
