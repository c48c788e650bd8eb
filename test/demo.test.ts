// The demo page (`npm run demo`) as a person gets it: built by Vite into a static folder, served with the
// COOP/COEP headers of demo/vite.config.ts, opened in headless Chromium. `?autotest` makes the page race
// on the ravine and benchmark a small vector, then post its state (`window.__ravineDemo`).
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolationHeaders } from '../demo/vite.config.js';
import { chromium, servePages, skipBrowser, type PageServer } from './helpers/chromium.js';

const out = mkdtempSync(join(tmpdir(), 'ravine-demo-'));
/** The sizes the benchmark panel offers, as its <select> lists them. */
const panelSizes = [
  ...readFileSync(new URL('../demo/index.html', import.meta.url), 'utf8')
    .match(/<select id="benchSize">(.*?)<\/select>/s)![1]
    .matchAll(/<option[^>]*>(\d+)<\/option>/g),
].map((m) => Number(m[1]));

interface DemoState {
  backend: string;
  crossOriginIsolated: boolean;
  surface: string;
  steps: number;
  raceDone: boolean;
  results: Record<string, { finalGap: number; steps: number; arrived: number }>;
  bench: { done: boolean; n: number; rows: { optimizer: string; backend: string; n: number; nsPerParam: number }[] };
  threads: { threads: number; reason?: string; split: boolean; matchesJs: boolean | null; steps: { threads: number; js: number }; stepError?: string };
  worker: { threads: number; reason?: string; split: boolean; matchesJs: boolean; error?: string } | null;
  error?: string;
}

describe.skipIf(skipBrowser)('the demo page, built by Vite, in headless Chromium', () => {
  let server: PageServer;
  let page: DemoState;

  beforeAll(async () => {
    const { build } = await import('vite');
    await build({ configFile: fileURLToPath(new URL('../demo/vite.config.ts', import.meta.url)), build: { outDir: out, emptyOutDir: true }, logLevel: 'warn' });
    server = await servePages((url) => join(out, url === '/' ? 'index.html' : url), isolationHeaders);
    page = (await server.open('/?autotest&benchSize=1048576', 120_000)) as unknown as DemoState;
  }, 120_000);

  afterAll(() => {
    server?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('builds a static folder: index.html, the script and the wasm as assets', () => {
    expect(readdirSync(out)).toContain('index.html');
    const assets = readdirSync(join(out, 'assets'));
    expect(assets.some((f) => f.endsWith('.js'))).toBe(true);
    expect(assets.some((f) => f.endsWith('.wasm'))).toBe(true);
  });

  it('is cross-origin isolated and runs on the simd backend', () => {
    expect(page.error).toBeUndefined();
    expect(page.crossOriginIsolated).toBe(true);
    expect(page.backend).toBe('simd');
  });

  it('races on the ravine: Adam and Newton reach f − f* ≤ 1e-6, plain GD does not in the same steps', () => {
    expect(page.raceDone).toBe(true);
    expect(page.surface).toBe('ravine');
    expect(Object.keys(page.results)).toEqual(['gd', 'momentum', 'nesterov', 'rmsprop', 'adam', 'newton', 'lbfgs']);
    const { gd, adam, newton } = page.results;
    expect(adam.finalGap).toBeLessThanOrEqual(1e-6);
    expect(adam.arrived).toBeGreaterThan(0);
    expect(newton.finalGap).toBeLessThanOrEqual(1e-6);
    expect(newton.steps).toBe(1);
    expect(gd.steps).toBe(page.steps);
    expect(gd.finalGap).toBeGreaterThan(1e-6);
    expect(gd.arrived).toBe(-1);
  });

  it("runs the SIMD backend on worker threads (cross-origin isolated), splitting the group, with the JS backend's bits", () => {
    expect(page.crossOriginIsolated).toBe(true);
    expect(page.threads.reason).toBeUndefined();
    expect(page.threads.threads).toBeGreaterThan(1);
    expect(page.threads.split).toBe(true);
    expect(page.threads.matchesJs).toBe(true); // after step() was refused: it changed nothing
    // In a Web Worker step() is synchronous, with nested worker threads over the same memory.
    expect(page.worker?.error).toBeUndefined();
    expect(page.worker?.reason).toBeUndefined();
    expect(page.worker?.threads).toBeGreaterThan(1);
    expect(page.worker?.split).toBe(true);
    expect(page.worker?.matchesJs).toBe(true);
    expect(page.threads.stepError).toMatch(/cannot wait for its worker threads on a browser's main thread .*await opt\.stepAsync\(\).*nothing was stepped/);
  });

  it('benchmarks Adam and SGD on simd, simd with threads and js, and reports ns per parameter for each', () => {
    expect(page.bench.done).toBe(true);
    expect(page.bench.n).toBe(1048576);
    expect(page.bench.rows.map((r) => `${r.optimizer}/${r.backend}`)).toEqual(['adam/simd', 'adam/threads', 'adam/js', 'sgd/simd', 'sgd/threads', 'sgd/js']);
    for (const row of page.bench.rows) {
      expect(row.n).toBe(1048576);
      expect(Number.isFinite(row.nsPerParam) && row.nsPerParam > 0, `${row.optimizer}/${row.backend}`).toBe(true);
    }
  });

  it("as a person uses it, driven by playwright-core in Debian's Chromium: clicks Race, picks a benchmark size and clicks Run benchmark; both finish on the page; a screenshot is saved (out/test/demo.png)", async () => {
    const { chromium: playwright } = await import('playwright-core');
    const browser = await playwright.launch({ executablePath: chromium!, args: ['--no-sandbox'] });
    const demo = () => (window as unknown as { __ravineDemo?: DemoState }).__ravineDemo;
    try {
      const tab = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      await tab.goto(`${server.origin}/`);
      await tab.waitForFunction(() => (window as unknown as { __ravineDemo?: DemoState }).__ravineDemo?.raceDone === true, null, { timeout: 60_000 });
      await tab.click('#run');
      await tab.waitForFunction(() => (window as unknown as { __ravineDemo?: DemoState }).__ravineDemo?.raceDone === true, null, { timeout: 60_000 });
      await tab.selectOption('#benchSize', '65536');
      await tab.click('#benchRun');
      await tab.waitForFunction(() => (window as unknown as { __ravineDemo?: DemoState }).__ravineDemo?.bench.done === true, null, { timeout: 90_000 });
      const state = (await tab.evaluate(demo))!;
      expect(state.error).toBeUndefined();
      expect(state.backend).toBe('simd');
      expect(state.results.adam.finalGap).toBeLessThanOrEqual(1e-6);
      expect(state.results.newton.finalGap).toBeLessThanOrEqual(1e-6);
      expect(state.results.gd.finalGap).toBeGreaterThan(1e-6);
      expect(state.bench.n).toBe(65536);
      expect(await tab.textContent('#benchTable')).toMatch(/Adam[\s\S]*SGD/);
      const file = fileURLToPath(new URL('../out/test/demo.png', import.meta.url));
      mkdirSync(fileURLToPath(new URL('../out/test/', import.meta.url)), { recursive: true });
      // The trajectories animate for ~2 s after a race: let them finish, for a picture worth looking at.
      await tab.waitForTimeout(2500);
      await tab.screenshot({ path: file, fullPage: true });
      expect(Array.from(readFileSync(file).subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    } finally {
      await browser.close();
    }
  }, 180_000);
  // The panel's check, run as a person picks each size: below the split threshold a plain step() on the
  // page's thread goes ahead (the group is not split), above it step() is refused; either way the JS run
  // must take as many steps as the threaded one, or the check reports different bits that threads did not cause.
  describe('the benchmark panel, driven by playwright-core at each size it offers', () => {
    let browser: import('playwright-core').Browser;
    let tab: import('playwright-core').Page;
    beforeAll(async () => {
      const { chromium: playwright } = await import('playwright-core');
      browser = await playwright.launch({ executablePath: chromium!, args: ['--no-sandbox'] });
      tab = await browser.newPage();
      await tab.goto(`${server.origin}/`);
      await tab.waitForFunction(() => (window as unknown as { __ravineDemo?: DemoState }).__ravineDemo?.raceDone === true, null, { timeout: 60_000 });
    }, 90_000);
    afterAll(() => browser?.close());

    it("reads the panel's sizes from demo/index.html, 65,536 (the red team's pick) among them", () => {
      expect(panelSizes.length).toBeGreaterThan(1);
      expect(panelSizes).toContain(65536);
    });

    it.each(panelSizes)(
      "at %i floats, the threads check compares equal work (as many Adam steps on each side) and finds the JS backend's bits",
      async (size) => {
        await tab.selectOption('#benchSize', String(size));
        await tab.click('#benchRun');
        await tab.waitForFunction(
          (n) => {
            const demo = (window as unknown as { __ravineDemo?: DemoState }).__ravineDemo;
            return demo?.bench.n === n && demo.bench.done === true;
          },
          size,
          { timeout: 150_000 },
        );
        const state = (await tab.evaluate(() => (window as unknown as { __ravineDemo?: DemoState }).__ravineDemo))!;
        expect(state.error).toBeUndefined();
        const t = state.threads;
        expect(t.threads).toBeGreaterThan(1);
        // A split group refuses the plain step() (ten steps by stepAsync); an unsplit one takes it (eleven).
        expect(t.stepError === undefined).toBe(!t.split);
        expect(t.steps).toEqual({ threads: t.split ? 10 : 11, js: t.split ? 10 : 11 });
        expect(t.matchesJs).toBe(true);
        expect(state.worker?.matchesJs).toBe(true);
        const status = await tab.textContent('#benchStatus');
        expect(status).toContain(`Adam ${t.steps.js} steps on each: bit for bit the JS backend`);
        expect(status).not.toMatch(/NOT the JS backend/);
      },
      180_000,
    );
  });
});
