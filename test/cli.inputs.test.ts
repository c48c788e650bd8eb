// What the command lines accept, checked before any work: a value they cannot honour (steps that never
// end, a size no heap holds, an output folder that cannot be made or written, a bench size that is not
// a number) is refused at once, in one line that names the flag, the value and what it accepts, with exit
// code 2. Each case ran for ever, failed after the work, or ran on nonsense before.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
/** Runs a CLI; 20 s is far more than any refusal needs, and stops one that hangs (status null). */
const run = (file: string, args: string[]) => spawnSync(process.execPath, [join(repo, file), ...args], { cwd: repo, encoding: 'utf8', timeout: 20_000 });
const race = (args: string[]) => run('dist/cli/ravine.js', ['race', ...args]);
const scratch = () => mkdtempSync(join(tmpdir(), 'ravine-inputs-'));

/** A refusal: exit code 2, nothing on stdout, exactly one line on stderr, returned. */
function refusal(result: ReturnType<typeof run>): string {
  expect(result.status).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe('ravine race --steps', () => {
  it('refuses 1e300 steps (which raced for ever), naming --steps, the value and the range it accepts', () => {
    expect(refusal(race(['--steps', '1e300']))).toBe("ravine race: --steps must be an integer from 1 to 10,000 (every step is drawn), got '1e300'");
    expect(refusal(race(['--steps=10001']))).toBe("ravine race: --steps must be an integer from 1 to 10,000 (every step is drawn), got '10001'");
  });

  it('the largest --steps it accepts draws five racers that never arrive, every step of each', () => {
    const max = /from 1 to ([\d,]+)/.exec(race(['--steps', '1e300']).stderr)?.[1].replaceAll(',', '');
    expect(max).toBeDefined();
    const dir = scratch();
    const result = race(['--surface', 'rosenbrock', '--lr', '1e-9', '--optimizers', 'gd,momentum,nesterov,rmsprop,adam', '--steps', max!, '--out', dir]);
    expect(result.stderr).not.toMatch(/ravine race:/);
    expect(result.status).toBe(0);
    expect(result.stdout.match(new RegExp(`not in ${max}`, 'g'))).toHaveLength(5);
    expect(readdirSync(dir).sort()).toEqual([
      'rosenbrock-loss.png',
      'rosenbrock-loss.svg',
      'rosenbrock-panels.png',
      'rosenbrock-panels.svg',
      'rosenbrock.png',
      'rosenbrock.svg',
    ]);
  });
});

describe.runIf(process.platform === 'linux')('ravine race --out, checked before racing', () => {
  it('a folder under /proc (where a recursive mkdir loops for ever) is refused at once, naming --out, the folder and the reason', () => {
    expect(refusal(race(['--out', '/proc/forbidden/race']))).toBe(
      'ravine race: --out: cannot write to the output folder /proc/forbidden/race: cannot create /proc/forbidden (ENOENT: no such file or directory)',
    );
  });

  it('a folder that exists but takes no file (/sys/kernel) is refused before the race runs, not after it', () => {
    const line = refusal(race(['--surface', 'ravine', '--steps', '10', '--out', '/sys/kernel']));
    expect(line).toMatch(/^ravine race: --out: cannot write to the output folder \/sys\/kernel: cannot write a file in it \((EACCES|EPERM|EROFS)[^)]*\)$/);
  });

  it('a missing folder several levels deep is created one level at a time, and the probe file is gone', () => {
    const dir = join(scratch(), 'a', 'b', 'c');
    const result = race(['--surface', 'ravine', '--optimizers', 'newton', '--steps', '10', '--out', dir]);
    expect(result.status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['ravine-loss.png', 'ravine-loss.svg', 'ravine-panels.png', 'ravine-panels.svg', 'ravine.png', 'ravine.svg']);
  });

  it('npm run example:linear refuses an --out under /proc at once too, before training', () => {
    expect(refusal(run('dist/cli/example.js', ['--out', '/proc/forbidden']))).toBe(
      'example:linear: --out: cannot write to the output folder /proc/forbidden: cannot create /proc/forbidden (ENOENT: no such file or directory)',
    );
  });
});

describe('ravine race --big', () => {
  const accepts = 'must be an even integer from 2 to 16,000,000';
  it.each([
    ['1e12 (no typed array that long)', ['--big', '1e12'], '1e12'],
    ['--big=-3 (was "Unknown option")', ['--big=-3'], '-3'],
    ['--big -3', ['--big', '-3'], '-3'],
    ['an odd size', ['--big=1001'], '1001'],
    ['an empty --big=', ['--big='], ''],
  ])('refuses %s, saying what --big accepts', (_, args, value) => {
    expect(refusal(race(args))).toBe(`ravine race: --big ${accepts}, got '${value}'`);
  });

  it('refuses --big given twice', () => {
    expect(refusal(race(['--big', '1000', '--big=2000']))).toBe('ravine race: --big is given 2 times');
  });

  it('takes --big=N as it takes --big N, and --big alone before another option', () => {
    for (const args of [['--big=1000'], ['--big', '1000']]) {
      const result = race(args);
      expect(result.status).toBe(0);
      expect(result.stdout).toMatch(/^L-BFGS \(m = 10\) on the 1,000-dimensional extended Rosenbrock function/);
    }
    expect(refusal(race(['--big', '--coupling', 'rings']))).toBe("ravine race: --coupling must be pairs or chained, got 'rings'");
  });

  it('takes --scipy=DIR as it takes --scipy DIR', () => {
    const result = race(['--scipy=test/fixtures/reference']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^ravine vs scipy\.optimize/);
  });
});

describe('npm run bench refuses malformed flags before measuring', () => {
  // The other flags keep the run small should a refusal ever be missed (today's main measured on).
  const small = (flag: string) => [flag, ...['--quick', '--no-models', '--only=sgd', '--sizes=4096'].filter((f) => f.split('=')[0] !== flag.split('=')[0])];
  const sizes = '--sizes must be distinct integers from 1 to 67,108,864, separated by commas, got';
  const threads = '--threads must be distinct integers from 1 to 256, separated by commas, got';
  it.each([
    ['--sizes=abc', `${sizes} 'abc'`],
    ['--sizes=-4096', `${sizes} '-4096'`],
    ['--sizes=4096,1.5', `${sizes} '4096,1.5' ('1.5')`],
    ['--sizes=0', `${sizes} '0'`],
    ['--sizes=4096,', `${sizes} '4096,' ('')`],
    ['--sizes=4096,4096', `${sizes} '4096,4096' (4096 twice)`],
    ['--sizes=1e12', `${sizes} '1e12'`],
    ['--threads=abc', `${threads} 'abc'`],
    ['--threads=0', `${threads} '0'`],
    ['--threads=2.5', `${threads} '2.5'`],
    [
      '--only=adam,foo',
      "--only: unknown name 'foo' in 'adam,foo'; the names are sgd, adam, adamw, rmsprop, adagrad, adadelta, adamax, nadam, radam, rprop, asgd, lion, adafactor, muon, scheduleFreeAdamW",
    ],
  ])('%s: one line naming the flag and the value, exit code 2, nothing measured', (flag, message) => {
    expect(refusal(run('bench/run.js', small(flag)))).toBe(`npm run bench: ${message} (--help lists the flags)`);
  });
});
