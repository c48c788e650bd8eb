// `npm run demo` / `npm run demo:build`: the browser page, served (dev and preview) with the headers
// that make it cross-origin isolated, so the wasm memory can be shared and timers are precise.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  build: { outDir: fileURLToPath(new URL('../out/demo', import.meta.url)), emptyOutDir: true, target: 'es2022' },
});
