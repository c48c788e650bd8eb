// In a browser: headless Chromium loads dist/ as plain ES modules, finds build/ravine.wasm through
// import.meta.url (fetched, compiled by compileStreaming), picks 'simd', and gets the JS fallback's
// bits. Needs Debian's chromium (.ci/run installs it); skipped, with a notice, only outside CI.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
const root = fileURLToPath(new URL('..', import.meta.url));
const types: Record<string, string> = { '.js': 'text/javascript', '.wasm': 'application/wasm', '.html': 'text/html' };

const page = `<!doctype html><script type="importmap">
{ "imports": { "@assemblyscript/loader": "/node_modules/@assemblyscript/loader/index.js" } }
</script><script type="module">
const report = (body) => fetch('/result', { method: 'POST', body: JSON.stringify(body) });
try {
  const { createRavine, Adam } = await import('/dist/index.js');
  const run = async (backend) => {
    const rv = await createRavine(backend ? { backend } : {});
    const w = rv.tensor('w', Array.from({ length: 37 }, (_, i) => Math.sin(i)));
    const opt = new Adam([w], { lr: 0.01, amsgrad: true });
    for (let t = 0; t < 100; t++) { for (let i = 0; i < 37; i++) w.grad[i] = Math.cos(i * t) * 10 ** ((i % 9) - 5); opt.step(); }
    return { backend: rv.backend, bits: Array.from(new Uint32Array(Float32Array.from(w.data).buffer)) };
  };
  const auto = await run(), js = await run('js');
  report({ auto: auto.backend, same: auto.bits.join() === js.bits.join(), moved: auto.bits[3] !== new Uint32Array(Float32Array.of(Math.sin(3)).buffer)[0] });
} catch (e) { report({ error: String(e && e.stack || e) }); }
</script>`;

it.skipIf(!chromium && !process.env.CI)('headless Chromium: auto picks simd, loads the wasm by URL, and matches the js backend bit for bit', async () => {
  expect(chromium, 'chromium is installed by .ci/run').toBeDefined();
  let resolveResult: (value: Record<string, unknown>) => void;
  const result = new Promise<Record<string, unknown>>((resolve) => (resolveResult = resolve));
  const server = createServer((req, res) => {
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => { res.end(); resolveResult(JSON.parse(body)); });
      return;
    }
    if (req.url === '/') { res.setHeader('content-type', 'text/html'); res.end(page); return; }
    const file = root + decodeURIComponent(req.url!.split('?')[0]);
    if (!existsSync(file)) { res.statusCode = 404; res.end(); return; }
    res.setHeader('content-type', types[file.slice(file.lastIndexOf('.'))] ?? 'application/octet-stream');
    res.end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = spawn(chromium!, [
    '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync', `--user-data-dir=${fileURLToPath(new URL('../build/chromium-profile', import.meta.url))}`,
    '--remote-debugging-port=0', url,
  ], { stdio: 'ignore' });
  try {
    const outcome = await Promise.race([result, new Promise<Record<string, unknown>>((_, reject) => setTimeout(() => reject(new Error('no result from the page in 60 s')), 60_000))]);
    expect(outcome.error).toBeUndefined();
    expect(outcome).toEqual({ auto: 'simd', same: true, moved: true });
  } finally {
    browser.kill('SIGKILL');
    server.close();
  }
});
