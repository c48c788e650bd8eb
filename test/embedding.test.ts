// docs/embedding.md, the guide for library authors, stays true: it shows examples/embedding/wrap-optimizer.mjs
// as it is; the example runs and its loss falls; its adapter (ravine behind a foreign `update(params, grads)`
// contract, adopting the host's arrays) steps exactly as ravine's own optimizers step ravine-owned tensors,
// with the host's arrays as the source of truth; and every file, link and package path the guide names exists.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as packaged from 'ravine'; // the package the example imports (dist/, by self-reference)
import * as ravine from '../src/index.js'; // the reference: ravine's own optimizers, from source
import * as example from '../examples/embedding/wrap-optimizer.mjs';

const repo = fileURLToPath(new URL('..', import.meta.url));
const guidePath = join(repo, 'docs/embedding.md');
const guide = readFileSync(guidePath, 'utf8');
const examplePath = join(repo, 'examples/embedding/wrap-optimizer.mjs');

type Net = Record<string, Float32Array>;
const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const gradsFor = (net: Net): Net => Object.fromEntries(Object.entries(net).map(([name, p]) => [name, new Float32Array(p.length)]));
/** A host edit between steps (a constraint, a re-initialised unit): the next step must start from it. */
function edit(net: Net): void {
  net.b2[0] = 0.25;
  net.w1[3] = -1;
}

const STEPS = 200,
  EDIT_AT = 100;
const cases = [
  { name: 'Adam', options: { lr: 0.05 } },
  { name: 'SGD', options: { lr: 0.5, momentum: 0.9, nesterov: true, weightDecay: 1e-3 } },
] as const;

/** The adapter, as the host drives it: the host's own arrays, its backward pass, `update(params, grads)`. */
async function throughAdapter(name: string, options: object, backend: 'simd' | 'js') {
  const net: Net = example.makeNet();
  const held = { ...net };
  const grads = gradsFor(net);
  const optimizer = await example.ravineOptimizer({ Optimizer: (packaged as Record<string, unknown>)[name], backend, ...options });
  expect(optimizer.backend).toBe(backend);
  for (let k = 0; k < STEPS; k++) {
    if (k === EDIT_AT) edit(net);
    example.lossAndGrads(net, grads);
    optimizer.update(net, grads);
  }
  const state = optimizer.stateDict().state;
  optimizer.dispose();
  return { net, held, state };
}

/** ravine's own optimizer on tensors allocated in ravine's memory, the host's backward pass writing t.grad. */
async function throughTensors(name: string, options: object, backend: 'simd' | 'js', edits = true) {
  const rv = await ravine.createRavine({ backend });
  const tensors = Object.entries(example.makeNet() as Net).map(([key, values]) => rv.tensor(key, values));
  const params: Net = Object.fromEntries(tensors.map((t) => [t.name, t.data]));
  const grads: Net = Object.fromEntries(tensors.map((t) => [t.name, t.grad]));
  const opt = new (ravine as unknown as Record<string, new (p: ravine.Tensor[], o: object) => ravine.Optimizer>)[name](tensors, options);
  for (let k = 0; k < STEPS; k++) {
    if (k === EDIT_AT && edits) edit(params);
    example.lossAndGrads(params, grads);
    opt.step();
  }
  const net = Object.fromEntries(tensors.map((t) => [t.name, t.data.slice()]));
  const state = opt.stateDict().state;
  rv.dispose();
  return { net, state };
}

it('docs/embedding.md shows examples/embedding/wrap-optimizer.mjs as it is, in a js block', () => {
  expect(guide).toContain(`\`\`\`js\n${readFileSync(examplePath, 'utf8')}\`\`\``);
});

it('the example runs: XOR trained through the adapter, its loss falling at every logged epoch to under 1/100 of the start', () => {
  const out = execFileSync(process.execPath, [examplePath], { cwd: mkdtempSync(join(tmpdir(), 'ravine-embedding-')), encoding: 'utf8' });
  const lines = out.trim().split('\n');
  const epochs = lines.map((l) => Number(/^epoch (\d+): /.exec(l)![1]));
  const losses = lines.map((l) => Number(/loss (\d+\.\d+)/.exec(l)![1]));
  expect(epochs).toEqual([0, 100, 200, 300, 400, 500]);
  expect(losses[0]).toBeGreaterThan(0.6); // about ln 2: the untrained net guesses
  for (let i = 1; i < losses.length; i++) expect(losses[i]).toBeLessThan(losses[i - 1]);
  expect(losses.at(-1)!).toBeLessThan(losses[0] / 100);
  expect(lines.at(-1)).toMatch(/\(ravine on 'simd'\)$/);
});

describe.each(cases)('the adapter with $name', ({ name, options }) => {
  it(`steps the host's arrays bit for bit as ${name} steps ravine-owned tensors (simd), ${STEPS} steps with a host edit at step ${EDIT_AT}; state keyed by the host's names`, async () => {
    const adapted = await throughAdapter(name, options, 'simd');
    const own = await throughTensors(name, options, 'simd');
    expect(Object.keys(adapted.net)).toEqual(Object.keys(own.net));
    for (const key of Object.keys(own.net)) expect(bits(adapted.net[key]), key).toEqual(bits(own.net[key]));
    expect(Object.keys(adapted.state)).toEqual(['w1', 'b1', 'w2', 'b2']);
    for (const [key, entry] of Object.entries(own.state)) {
      for (const [buffer, value] of Object.entries(entry)) {
        if (value instanceof Float32Array) expect(bits(adapted.state[key][buffer] as Float32Array), `${key}.${buffer}`).toEqual(bits(value));
        else expect(adapted.state[key][buffer], `${key}.${buffer}`).toEqual(value);
      }
    }
  });

  it("keeps the host's arrays as the source of truth: the same objects, holding the updated values, and the host's edit between steps is what the next step read", async () => {
    const adapted = await throughAdapter(name, options, 'simd');
    const initial: Net = example.makeNet();
    for (const key of Object.keys(initial)) {
      expect(adapted.net[key], key).toBe(adapted.held[key]);
      expect(bits(adapted.net[key]), key).not.toEqual(bits(initial[key]));
    }
    // Without the edit the trajectory differs, so the bit equality above proves the edit was read.
    const unedited = await throughTensors(name, options, 'simd', false);
    expect(bits(adapted.net.b2)).not.toEqual(bits(unedited.net.b2));
  });

  it("on the js backend gives the simd backend's bits, so a host library's tests can run on js", async () => {
    const adapted = await throughAdapter(name, options, 'js');
    const own = await throughTensors(name, options, 'simd');
    for (const key of Object.keys(own.net)) expect(bits(adapted.net[key]), key).toEqual(bits(own.net[key]));
  });
});

it('the adapter refuses arrays other than the ones it adopted, and a new parameter, naming its contract', async () => {
  const net: Net = example.makeNet();
  const grads = gradsFor(net);
  const optimizer = await example.ravineOptimizer({ lr: 0.05 });
  expect(optimizer.stateDict()).toBeUndefined();
  example.lossAndGrads(net, grads);
  optimizer.update(net, grads);
  expect(() => optimizer.update({ ...net, b2: new Float32Array(1) }, grads)).toThrow(/takes the arrays it adopted on its first call/);
  expect(() => optimizer.update(net, { ...grads, w2: new Float32Array(4) })).toThrow(/takes the arrays it adopted on its first call/);
  expect(() => optimizer.update({ ...net, extra: new Float32Array(2) }, grads)).toThrow(/takes the arrays it adopted on its first call/);
  optimizer.dispose();
});

describe('every file, link and package path docs/embedding.md names exists', () => {
  const links = [...guide.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]).filter((href) => !/^[a-z]+:/.test(href));
  const paths = [...guide.matchAll(/`((?:assembly|bench|build|demo|dist|docs|examples|src|test)\/[\w./-]+)`/g)].map((m) => m[1]);
  const specifiers = [...new Set([...guide.matchAll(/\bravine\/[\w.-]+/g)].map((m) => m[0]))];
  const exported = Object.keys(JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).exports);

  it('names some of each, so this test checks something', () => {
    expect(links.length).toBeGreaterThanOrEqual(5);
    expect(paths.length).toBeGreaterThanOrEqual(3);
    expect(specifiers).toEqual(expect.arrayContaining(['ravine/ravine.wasm', 'ravine/ravine-shared.wasm', 'ravine/browser']));
  });

  it.each(links)('link %s: the file exists (and the heading an anchor names)', (href) => {
    const [file, anchor] = href.split('#');
    const target = file === '' ? guidePath : resolve(dirname(guidePath), file);
    expect(existsSync(target), target).toBe(true);
    if (anchor) {
      const slugs = [...readFileSync(target, 'utf8').matchAll(/^#+ (.+)$/gm)].map((m) =>
        m[1]
          .trim()
          .toLowerCase()
          .replace(/[^\w\- ]/g, '')
          .replace(/ /g, '-'),
      );
      expect(slugs).toContain(anchor);
    }
  });

  it.each(paths)('path %s exists in the repository', (path) => {
    expect(existsSync(join(repo, path)), path).toBe(true);
  });

  it.each(specifiers)("package path '%s' is one of package.json's exports", (specifier) => {
    expect(exported).toContain(specifier.replace(/^ravine/, '.'));
  });
});
