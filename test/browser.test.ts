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
