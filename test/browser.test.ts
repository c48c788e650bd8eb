// In a browser, from this repository's dist/ as plain ES modules (an import map supplies
// @assemblyscript/loader, as a page using dist/index.js without a bundler must): headless Chromium
// finds build/ravine.wasm through import.meta.url, compiles it by compileStreaming, picks 'simd', and
// gets the JS fallback's bits. The packed package in every toolchain is package.test.ts's.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import * as ravine from '../src/index.js';
import { reportScript, servePages, skipBrowser, type PageServer } from './helpers/chromium.js';
import { workload } from './fixtures/toolchains/workload.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const page = `<!doctype html><script type="importmap">
{ "imports": { "@assemblyscript/loader": "/node_modules/@assemblyscript/loader/index.js" } }
</script><script type="module">
${reportScript}
import * as ravine from '/dist/index.js';
import { workload } from '/test/fixtures/toolchains/workload.js';
workload(ravine).then(report, (e) => report({ error: String(e?.stack ?? e) }));
</script>`;

let server: PageServer;
beforeAll(async () => {
  server = await servePages((url) => (url === '/' ? { body: page, type: 'text/html' } : join(root, url)));
});
afterAll(() => server?.close());

it.skipIf(skipBrowser)('headless Chromium: auto picks simd, loads the wasm by URL, and matches the js backend and Node bit for bit', async () => {
  const expected = await workload(ravine);
  expect(expected).toMatchObject({ auto: 'simd', same: true, moved: 37 });
  expect(await server.open('/')).toEqual(expected);
});

// Views in a page: stable where the page is cross-origin isolated (COOP + COEP: ravine loads
// ravine-shared.wasm on a shared memory), not stable elsewhere (ravine.wasm on a plain memory).
const viewsPage = `<!doctype html><script type="importmap">
{ "imports": { "@assemblyscript/loader": "/node_modules/@assemblyscript/loader/index.js" } }
</script><script type="module">
${reportScript}
import { createRavine, SGD } from '/dist/index.js';
try {
  const rv = await createRavine();
  const w = rv.tensor('w', [1, 2, 3]);
  const grad = w.grad;
  const opt = new SGD([w], { lr: 0.5 });
  rv.tensor('big', 1 << 22); // 32 MiB: the heap grows
  const alive = grad.length;
  if (alive) grad.fill(2); else w.grad.fill(2);
  opt.step();
  report({ isolated: crossOriginIsolated, backend: rv.backend, viewsStable: rv.viewsStable, cachedViewLength: alive, w: Array.from(w.data) });
} catch (e) { report({ error: String(e?.stack ?? e) }); }
</script>`;

it.skipIf(skipBrowser)('a cross-origin-isolated page gets a shared memory: views stay valid across growth', async () => {
  const isolated = await servePages((url) => (url === '/' ? { body: viewsPage, type: 'text/html' } : join(root, url)), {
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
  });
  try {
    expect(await isolated.open('/')).toEqual({ isolated: true, backend: 'simd', viewsStable: true, cachedViewLength: 3, w: [0, 1, 2] });
    expect(isolated.requests).toContain('GET /build/ravine-shared.wasm');
  } finally {
    isolated.close();
  }
});

it.skipIf(skipBrowser)('a page without cross-origin isolation gets a plain memory: rv.viewsStable is false and growth detaches a cached view', async () => {
  const plain = await servePages((url) => (url === '/' ? { body: viewsPage, type: 'text/html' } : join(root, url)));
  try {
    expect(await plain.open('/')).toEqual({ isolated: false, backend: 'simd', viewsStable: false, cachedViewLength: 0, w: [0, 1, 2] });
    expect(plain.requests).toContain('GET /build/ravine.wasm');
  } finally {
    plain.close();
  }
});

it.skipIf(skipBrowser)(
  'ravine-shared.wasm in a page without cross-origin isolation: the error says it needs a shared memory, not "not a ravine module"',
  async () => {
    const page = `<!doctype html><script type="importmap">
{ "imports": { "@assemblyscript/loader": "/node_modules/@assemblyscript/loader/index.js" } }
</script><script type="module">
${reportScript}
import { createRavine } from '/dist/index.js';
createRavine({ backend: 'simd', wasm: '/build/ravine-shared.wasm' }).then((rv) => report({ backend: rv.backend }), (e) => report({ message: e.message }));
</script>`;
    const server = await servePages((url) => (url === '/' ? { body: page, type: 'text/html' } : join(root, url)));
    try {
      const result = await server.open('/');
      expect(result.message).toMatch(/needs a shared memory, which this engine or page cannot make \(a page must be cross-origin isolated/);
    } finally {
      server.close();
    }
  },
);
