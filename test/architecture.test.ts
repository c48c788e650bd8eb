// How the source is put together, where a drift would go unnoticed otherwise: describe() (every error
// message's way of showing a value) is a leaf module, so validating a number never imports the context
// factory and its backends.
import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));

it('describe() lives in a module that imports nothing, and every file takes it from there, not from the context factory', () => {
  expect(readFileSync(join(src, 'describe.ts'), 'utf8')).not.toMatch(/^import /m);
  const offenders = files(src).filter((f) => /import \{[^}]*\bdescribe\b[^}]*\} from '[./]*ravine\.js'/.test(readFileSync(f, 'utf8')));
  expect(offenders).toEqual([]);
  const users = files(src).filter((f) => /from '[./]*describe\.js'/.test(readFileSync(f, 'utf8')));
  expect(users.length).toBeGreaterThan(25);
});

it('one tensor check: an optimizer, L-BFGS, an average and a clipping say the same thing about the same mistake', async () => {
  const { AveragedParams, clipGradNorm, createRavine, LBFGS, SGD } = await import('../src/index.js');
  const messages = (make: (list: unknown[]) => unknown) => {
    return (list: unknown[]) => {
      try {
        make(list);
      } catch (e) {
        return (e as Error).message.replace(/^[^:]*: /, '');
      }
      return 'no error';
    };
  };
  const rv = await createRavine(),
    other = await createRavine();
  const gone = rv.tensor('gone', 2);
  gone.dispose();
  const callers = {
    SGD: messages((l) => new SGD(l as never)),
    LBFGS: messages((l) => new LBFGS(l as never)),
    AveragedParams: messages((l) => new AveragedParams(l as never, { mode: 'swa' })),
    clipGradNorm: messages((l) => clipGradNorm(l as never, 1)),
  };
  const w = rv.tensor('w', 2),
    x = other.tensor('x', 2);
  for (const [list, want] of [
    [[w, 3], 'params[1] must be a tensor made by a Ravine context, got 3'],
    [[gone], "tensor 'gone' has been disposed"],
    [[w, x], "tensor 'x' belongs to another Ravine context"],
    [[w, w], "tensor 'w' appears more than once"],
  ] as const) {
    for (const [name, call] of Object.entries(callers)) expect(call([...list]), name).toBe(want);
  }
  // A disposed context, an adopted array whose buffer was transferred away: the same words from all four.
  const dead = await createRavine();
  const orphan = dead.tensor('orphan', 2);
  dead.dispose();
  const mine = new Float32Array(2);
  const lost = rv.adopt('lost', mine);
  structuredClone(mine.buffer, { transfer: [mine.buffer] });
  for (const [list, want] of [
    [[orphan], "tensor 'orphan' belongs to a disposed Ravine context"],
    [[lost], "adopted tensor 'lost' has lost its data array (length 0, expected 2: was its buffer transferred?)"],
  ] as const) {
    for (const [name, call] of Object.entries(callers)) expect(call([...list]), name).toBe(want);
  }
  // Owned by an optimizer: refused by those that take tensors (an optimizer, L-BFGS), not by those that only read them.
  const owned = rv.tensor('owned', 2);
  new SGD([owned]);
  expect(callers.SGD([owned])).toBe("tensor 'owned' already belongs to an optimizer");
  expect(callers.LBFGS([owned])).toBe("tensor 'owned' already belongs to an optimizer");
  expect(callers.clipGradNorm([owned])).toBe('no error');
  expect(
    files(src)
      .filter((f) => readFileSync(f, 'utf8').includes('must be a tensor made by a Ravine context'))
      .map((f) => f.slice(src.length)),
  ).toEqual(['optim/checkTensors.ts']);
  rv.dispose();
  other.dispose();
});

it('npm test runs the formatter check and the linter first (biome ci), and the configuration catches an unformatted file and a lint finding', async () => {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, writeFileSync, copyFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  expect(pkg.scripts.pretest).toMatch(/npm run check/);
  expect(pkg.scripts.check).toBe('biome ci --error-on-warnings .');
  const biome = fileURLToPath(new URL('../node_modules/@biomejs/biome/bin/biome', import.meta.url));
  const dir = mkdtempSync(join(tmpdir(), 'ravine-biome-'));
  copyFileSync(new URL('../biome.json', import.meta.url), join(dir, 'biome.json'));
  const run = (code: string) => {
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'src', 'x.ts'), code);
    return spawnSync(process.execPath, [biome, 'ci', '--vcs-enabled=false', '--config-path', dir, join(dir, 'src')], { encoding: 'utf8', cwd: dir });
  };
  expect(run('export const a = 1;\n').status).toBe(0);
  expect(run('export const a =   1\n').status).not.toBe(0); // not formatted
  expect(run('export function f(x: number) {\n  if (x == 1) return 2;\n  return 3;\n}\n').status).not.toBe(0); // == flagged
});

it('createRavine starts the threads before it builds the context, on the backend the context keeps: nothing patches a backend afterwards', async () => {
  const patched = files(src).filter((f) => /\bbackend\.(kernels|plans|splitThreshold|threads|pool|dispose)\s*=[^=]/.test(readFileSync(f, 'utf8')));
  expect(patched.map((f) => f.slice(src.length))).toEqual([]);
  const { createRavine } = await import('../src/index.js');
  const rv = await createRavine({ threads: 2 });
  const backend = (rv as unknown as { _context: { backend: { threads?: number; heapBase: number; pool?: unknown } } })._context.backend;
  expect(rv.threads).toBe(2); // Node has shared memory and workers
  expect(backend.threads).toBe(2);
  expect(backend.pool).toBeDefined();
  // The arena starts after the threads' control block: the first tensor lands past the heap base.
  const t = rv.tensor('t', 4);
  expect((t as unknown as { _data: number })._data).toBeGreaterThanOrEqual(backend.heapBase);
  rv.dispose();
});

it('the base class keeps options, groups and step (at most 300 lines); L-BFGS keeps its schedules in the GroupSchedules every optimizer has, not a copy of the bookkeeping', async () => {
  expect(readFileSync(join(src, 'optim/optimizer.ts'), 'utf8').split('\n').length).toBeLessThanOrEqual(300);
  // Binding a schedule to its option, taking one assigned since the last step, moving them with a step:
  // groupSchedules.ts's (on scheduling.ts's helpers), imported by nobody else.
  const bookkeeping =
    /import \{[^}]*\b(bind|unbind|placeAt|sameDefinition|steppedOf|advanceAll|commitAll|rollback|assignedDrivers)\b[^}]*\} from '\.\/(drivers|scheduling)\.js'/;
  const users = files(src).filter((f) => bookkeeping.test(readFileSync(f, 'utf8')));
  expect(users.map((f) => f.slice(src.length))).toEqual(['optim/groupSchedules.ts', 'optim/scheduling.ts']);
  for (const f of ['optimizer.ts', 'lbfgs.ts']) expect(readFileSync(join(src, 'optim', f), 'utf8'), f).toMatch(/new GroupSchedules\(/);

  // And so they behave alike: a schedule assigned to an option is taken at the next look, one that
  // drives another optimizer's option is refused naming it, and disposing an optimizer frees its schedules.
  const { Adam, createRavine, exponentialLR, LBFGS } = await import('../src/index.js');
  const rv = await createRavine();
  const adam = new Adam([rv.tensor('a', [1, 2])], { lr: 0.1 });
  const lbfgs = new LBFGS([rv.tensor('b', [1, 2])], { lr: 0.1 });
  const gamma = exponentialLR({ base: 0.1, gamma: 0.5 });
  (adam.paramGroups[0] as { lr: unknown }).lr = gamma;
  expect(adam.schedule(0, 'lr')).toBe(gamma);
  (lbfgs.paramGroups[0] as { lr: unknown }).lr = gamma;
  expect(() => lbfgs.schedule('lr')).toThrow(/LBFGS: option lr is given a exponentialLR that already drives Adam param group 0's lr/);
  adam.step();
  expect(adam.paramGroups[0].lr).toBe(0.05);
  adam.dispose();
  expect(lbfgs.schedule('lr')).toBe(gamma);
  lbfgs.step(() => 0);
  expect(lbfgs.paramGroups[0].lr).toBe(0.025);
  lbfgs.dispose();
  rv.dispose();
});
