// The package as a user gets it: `npm pack`, installed into an empty project with nothing beside it,
// then used from Node (ESM, CommonJS), type-checked by a consumer with no DOM lib, bundled by Vite and
// by esbuild, and loaded by a plain page with no bundler and no import map, each in headless Chromium.
// Every app runs the same workload (test/fixtures/toolchains/workload.js) and must pick 'simd' and
// get the js backend's bits. The install brings one package besides ravine, @assemblyscript/loader: what
// `ravine race` draws with is an optional peer dependency, asked for by name when it is missing and
// found in the user's project when it is installed.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as ravine from '../src/index.js';
import { drawingPackages } from '../src/plot/load.js';
import { workload, type WorkloadResult } from './fixtures/toolchains/workload.js';
import { servePages, skipBrowser, type PageServer } from './helpers/chromium.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const fixtures = join(repo, 'test/fixtures/toolchains');
const project = mkdtempSync(join(tmpdir(), 'ravine-consumer-'));
// npm run by `npm test` passes its own settings down as npm_* variables; the consumer's npm must not see them.
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_')));

function node(script: string, flags: string[] = []): Record<string, unknown> {
  const run = spawnSync(process.execPath, [...flags, join(project, script)], { cwd: project, encoding: 'utf8', env: cleanEnv });
  if (run.status !== 0) throw new Error(`${script} exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout);
}

/** Every package under `modules`, nested ones as `a/node_modules/b`. */
function installedPackages(modules: string, prefix = ''): string[] {
  if (!existsSync(modules)) return [];
  return readdirSync(modules)
    .filter((entry) => !entry.startsWith('.'))
    .flatMap((entry) => {
      const names = entry.startsWith('@') ? readdirSync(join(modules, entry)).map((name) => `${entry}/${name}`) : [entry];
      return names.flatMap((name) => [prefix + name, ...installedPackages(join(modules, name, 'node_modules'), `${prefix}${name}/node_modules/`)]);
    });
}

/** What the files reachable from `entry` through literal imports (static and dynamic) import from outside the package. */
function importGraph(entry: string): { files: string[]; bare: Set<string> } {
  const files = new Set<string>(),
    bare = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    for (const [, specifier] of source.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)['"]([^'"\n]+)['"]/gm)) {
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else bare.add(specifier);
    }
  };
  visit(entry);
  return { files: [...files], bare };
}

let expected: WorkloadResult;
let tarball: string;

beforeAll(async () => {
  expected = await workload(ravine);
  tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', project], { cwd: repo, encoding: 'utf8', env: cleanEnv })
    .trim()
    .split('\n')
    .at(-1)!;
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  execFileSync('npm', ['install', join(project, tarball), '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: project,
    env: cleanEnv,
    stdio: 'pipe',
  });
  for (const file of readdirSync(fixtures)) if (file.includes('.') && !file.endsWith('.d.ts')) copyFileSync(join(fixtures, file), join(project, file));
  copyFileSync(join(fixtures, 'vite-index.html'), join(project, 'index.html'));
}, 180_000);

afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('npm pack, installed into an empty project', () => {
  it("ships dist/, the browser bundle, the wasm, README, LICENSE and the ravine command, and no source maps, repository-only CLIs, declarations of the CLI's modules or tests", () => {
    const root = join(project, 'node_modules/ravine');
    for (const file of [
      'dist/index.js',
      'dist/index.d.ts',
      'dist/browser/ravine.js',
      'build/ravine.wasm',
      'build/ravine-shared.wasm',
      'README.md',
      'LICENSE',
      'dist/cli/ravine.js',
      'dist/cli/race.js',
      'dist/race/index.js',
      'dist/plot/index.js',
    ]) {
      expect(existsSync(join(root, file)), file).toBe(true);
    }
    const listing = execFileSync('find', [root, '-type', 'f'], { encoding: 'utf8' });
    expect(listing).not.toMatch(/\.map$|\/(cli|plot|race)\/.*\.d\.ts$|\/cli\/example\.|\/test\/|\/src\//m);
  });

  it('brings @assemblyscript/loader and no other package: not d3, not resvg', () => {
    expect(installedPackages(join(project, 'node_modules')).filter((name) => name !== 'ravine')).toEqual(['@assemblyscript/loader']);
  });

  it("ravine, ravine/browser and ravine/tfjs reach no file that names a drawing package, and import nothing but the loader, tfjs-core (ravine/tfjs) and Node's builtins", () => {
    const root = join(project, 'node_modules/ravine');
    const exports = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).exports as Record<string, string | { default: string }>;
    const allowed: Record<string, string[]> = {
      '.': ['@assemblyscript/loader'],
      './browser': ['@assemblyscript/loader'],
      './tfjs': ['@assemblyscript/loader', '@tensorflow/tfjs-core'],
    };
    const entries = Object.entries(exports).filter(([, target]) => typeof target !== 'string' || target.endsWith('.js'));
    expect(entries.map(([key]) => key)).toEqual(Object.keys(allowed));
    for (const [key, target] of entries) {
      const { files, bare } = importGraph(join(root, typeof target === 'string' ? target : target.default));
      expect(
        [...bare].filter((name) => !name.startsWith('node:') && !allowed[key].includes(name)),
        key,
      ).toEqual([]);
      for (const file of files) expect(readFileSync(file, 'utf8'), file).not.toMatch(/d3-(array|contour|scale)|resvg/);
    }
  });

  it('npx ravine race without the drawing packages exits 1 before racing, with one line naming the four and the npm install that brings them', () => {
    const out = join(project, 'race-without-drawing');
    const run = spawnSync('npx', ['--no-install', 'ravine', 'race', '--surface', 'ravine', '--steps', '10', '--out', out], {
      cwd: project,
      encoding: 'utf8',
      env: cleanEnv,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      'ravine race: the pictures are drawn with d3-array, d3-contour, d3-scale and @resvg/resvg-js (optional peer dependencies, not installed with ravine): npm install d3-array d3-contour d3-scale @resvg/resvg-js\n',
    );
    expect(run.stdout).toBe('');
    expect(existsSync(out)).toBe(false);
  });

  it('npx ravine race --help works in the consumer project (the bin and what it imports ship)', () => {
    const run = spawnSync('npx', ['--no-install', 'ravine', 'race', '--help'], { cwd: project, encoding: 'utf8', env: cleanEnv });
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^usage: ravine race/);
  });

  it("Node ESM: import 'ravine' picks simd and steps, bit for bit as the js backend and as this repository's source", () => {
    const result = node('node-esm.mjs');
    expect(result).toEqual(expected);
    expect(result).toMatchObject({ auto: 'simd', same: true, moved: 37 });
  });

  it('Node CommonJS: import() works, and so does require() where Node has require(esm)', () => {
    const result = node('node-cjs.cjs');
    expect(result.viaImport).toEqual(expected);
    expect(result.requireModule).toBe(process.features.require_module === true);
    if (result.requireModule) expect(result.viaRequire).toEqual(expected);
  });

  it("Node: with its wasm missing, 'simd' rejects naming the file and 'auto' falls back to js with a warning; the file back, the next load gets simd", () => {
    const result = node('node-recover.mjs') as {
      wasm: string;
      simdError: { isWasmLoadError: boolean; message: string };
      auto: string;
      fallbackReason: string;
      warnings: string[];
      recovered: string;
    };
    expect(result.simdError.isWasmLoadError).toBe(true);
    expect(result.simdError.message).toContain(result.wasm);
    expect(result.simdError.message).toMatch(/could not read the SIMD kernels .*ENOENT/);
    expect(result.auto).toBe('js');
    expect(result.fallbackReason).toBe(result.simdError.message);
    expect(result.warnings).toEqual([`${result.simdError.message}; falling back to the JS backend (bit-identical, slower)`]);
    expect(result.recovered).toBe('simd');
  });

  it("a CommonJS bundle (esbuild, platform node), where import.meta.url is empty: 'auto' falls back to js saying it cannot locate the wasm; the wasm given as bytes gives simd", async () => {
    const { build } = await import('esbuild');
    await build({
      entryPoints: [join(project, 'cjs-bundle-app.cjs')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: join(project, 'cjs-out/app.cjs'),
      absWorkingDir: project,
      logLevel: 'silent',
    });
    const result = node('cjs-out/app.cjs');
    expect(result).toMatchObject({ auto: 'js', warnings: 1, given: 'simd' });
    expect(result.reason).toMatch(
      /^ravine: cannot locate its wasm beside the package \(import\.meta\.url is .*: a CommonJS bundle\?\); pass createRavine\(\{ wasm \}\)/,
    );
  });

  it('a strict consumer with lib es2022, no DOM and no @types compiles against the declarations', () => {
    const tsc = join(repo, 'node_modules/typescript/bin/tsc');
    const dir = join(project, 'dom-less');
    execFileSync('mkdir', ['-p', dir]);
    for (const file of ['consumer.ts', 'tsconfig.json']) copyFileSync(join(fixtures, 'dom-less', file), join(dir, file));
    const run = spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' });
    expect(run.stdout + run.stderr).toBe('');
    expect(run.status).toBe(0);
    // The check can fail: the same consumer misusing an option is an error.
    writeFileSync(
      join(dir, 'consumer.ts'),
      "import { Adam, createRavine } from 'ravine';\nconst rv = await createRavine();\nnew Adam([rv.tensor('w', 1)], { lr: '0.1' });\n",
    );
    expect(spawnSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8' }).stdout).toMatch(/error TS2322/);
  });
});

describe('npm pack, installed into an empty project with the drawing packages beside it', () => {
  const drawing = mkdtempSync(join(tmpdir(), 'ravine-drawing-'));

  beforeAll(() => {
    writeFileSync(join(drawing, 'package.json'), JSON.stringify({ name: 'drawing-consumer', private: true, type: 'module' }));
    // The versions this repository's lock installed, so the install finds them in npm's cache offline.
    const pinned = drawingPackages.map((name) => `${name}@${JSON.parse(readFileSync(join(repo, 'node_modules', name, 'package.json'), 'utf8')).version}`);
    execFileSync('npm', ['install', join(project, tarball), ...pinned, '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: drawing,
      env: cleanEnv,
      stdio: 'pipe',
    });
  }, 180_000);

  afterAll(() => rmSync(drawing, { recursive: true, force: true }));

  it('npx ravine race finds them in the project and draws its SVG and PNG pictures', () => {
    const out = join(drawing, 'race');
    const run = spawnSync('npx', ['--no-install', 'ravine', 'race', '--surface', 'ravine', '--steps', '200', '--out', out], {
      cwd: drawing,
      encoding: 'utf8',
      env: cleanEnv,
    });
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.status).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['ravine-loss.png', 'ravine-loss.svg', 'ravine-panels.png', 'ravine-panels.svg', 'ravine.png', 'ravine.svg']);
    expect(readFileSync(join(out, 'ravine.png')).subarray(1, 4).toString()).toBe('PNG');
  });
});

describe.skipIf(skipBrowser)('in headless Chromium, from the packed tarball', () => {
  let server: PageServer;
  let wasmRequestsToRecover = 0;

  beforeAll(async () => {
    const vite = spawnSync(
      process.execPath,
      [join(repo, 'node_modules/vite/bin/vite.js'), 'build', '--base', './', '--outDir', 'vite-dist', '--logLevel', 'warn'],
      { cwd: project, encoding: 'utf8', env: cleanEnv },
    );
    if (vite.status !== 0) throw new Error(`vite build failed: ${vite.stderr}`);
    viteOutput = vite.stdout + vite.stderr;
    const { build } = await import('esbuild');
    const result = await build({
      entryPoints: [join(project, 'esbuild-app.js')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      outdir: join(project, 'esbuild-dist'),
      loader: { '.wasm': 'file' },
      absWorkingDir: project,
      logLevel: 'silent',
    });
    esbuildWarnings = result.warnings.map((w) => w.text);
    server = await servePages((url) => {
      const [, prefix, rest] = /^\/([^/]+)(\/.*)$/.exec(url) ?? [];
      if (prefix === 'vite') return join(project, 'vite-dist', rest);
      if (prefix === 'esbuild') {
        if (rest === '/') return { body: '<!doctype html><script type="module" src="./esbuild-app.js"></script>', type: 'text/html' };
        return join(project, 'esbuild-dist', rest);
      }
      if (prefix === 'plain') return join(project, rest === '/' ? 'plain.html' : rest);
      if (prefix === 'recover') {
        if (rest.endsWith('.wasm') && wasmRequestsToRecover++ === 0) return { status: 503 };
        return join(project, rest === '/' ? 'recover.html' : rest);
      }
      return undefined;
    });
  }, 180_000);
  let viteOutput = '';
  let esbuildWarnings: string[] = [];

  afterAll(() => server?.close());

  it('Vite builds the app without a warning, emits the wasm as an asset, and the page picks simd and steps', async () => {
    expect(viteOutput).not.toMatch(/warn|externalized|node:/i);
    expect(readdirSync(join(project, 'vite-dist/assets')).some((f) => f.endsWith('.wasm'))).toBe(true);
    expect(await server.open('/vite/index.html')).toEqual(expected);
  });

  it('esbuild bundles the app without a warning (ravine/ravine.wasm through the file loader), and the page picks simd and steps', async () => {
    expect(esbuildWarnings).toEqual([]);
    expect(await server.open('/esbuild/')).toEqual(expected);
  });

  it('a plain <script type="module"> page with no bundler and no import map loads ravine/browser, picks simd and steps', async () => {
    expect(await server.open('/plain/')).toEqual(expected);
  });

  it('a failed fetch of the wasm (HTTP 503) rejects naming the URL and status, and is not cached: the next createRavine gets simd', async () => {
    const result = await server.open('/recover/');
    expect(result.error).toBeUndefined();
    expect(result.first).toMatch(
      /^WasmLoadError: ravine: could not fetch the SIMD kernels from http:\/\/127\.0\.0\.1:\d+\/recover\/node_modules\/ravine\/build\/ravine\.wasm: HTTP 503/,
    );
    expect(result.second).toBe('simd');
    expect(wasmRequestsToRecover).toBe(2);
  });
});
