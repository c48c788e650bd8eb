// Under `node --jitless` there is no WebAssembly at all: 'auto' must pick the JS backend and produce the
// same bits as SIMD does.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const script = fileURLToPath(new URL('./helpers/adam-run.mjs', import.meta.url));
const dist = fileURLToPath(new URL('../dist/index.js', import.meta.url));

function run(flags: string[]): { backend: string; hasWasm: boolean; bits: number[] } {
  const out = execFileSync(process.execPath, [...flags, script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return JSON.parse(out);
}

it('node --jitless: auto chooses js (no WebAssembly) and matches simd bit for bit', () => {
  expect(existsSync(dist), 'dist/ is built by `npm test` (pretest)').toBe(true);
  const jitless = run(['--jitless']);
  const normal = run([]);
  expect(jitless.hasWasm).toBe(false);
  expect(jitless.backend).toBe('js');
  expect(normal.backend).toBe('simd');
  expect(jitless.bits.length).toBe(67 * 2);
  expect(jitless.bits).toEqual(normal.bits);
});
