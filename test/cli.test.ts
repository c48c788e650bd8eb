// Every command-line entry point answers --help without doing its job, refuses an unknown flag in one
// line, and writes what it draws into a folder git ignores (or one it is given), never the repository.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repo = fileURLToPath(new URL('..', import.meta.url));
const clis: Record<string, string> = {
  'ravine (npm start runs ravine race)': 'dist/cli/ravine.js',
  'ravine race (npm run race)': 'dist/cli/race.js',
  'npm run example:linear': 'dist/cli/example.js',
  'npm run bench': 'bench/run.js',
  'bench/per-call.js': 'bench/per-call.js',
  'bench/adopt-cost.js': 'bench/adopt-cost.js',
};
const run = (file: string, args: string[]) => spawnSync(process.execPath, [join(repo, file), ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });

describe.each(Object.entries(clis))('%s', (_, file) => {
  it('--help prints its usage and exits 0 without running', () => {
    const result = run(file, ['--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^usage: /);
    expect(result.stderr).toBe('');
    expect(result.stdout.split('\n').length).toBeLessThan(25); // the usage, not a run's output
  });
  it('an unknown flag is refused, naming it, with exit code non-zero', () => {
    const result = run(file, ['--no-such-flag']);
    expect(result.status).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/no-such-flag/);
    expect(result.stderr).not.toMatch(/\n\s+at /); // one line, not a stack trace
  });
});

describe('outputs', () => {
  it('by default npm run example:linear draws into out/ in the repository, whatever the working directory', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'ravine-cwd-'));
    const result = spawnSync(process.execPath, [join(repo, 'dist/cli/example.js')], { cwd: elsewhere, encoding: 'utf8' });
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`loss curve drawn to ${join(repo, 'out/example-loss.svg')}`);
    expect(existsSync(join(repo, 'out/example-loss.svg'))).toBe(true);
  });

  it('npm run example:linear draws its loss curve into --out, and by default into out/ (which .gitignore covers)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ravine-example-'));
    const result = run('dist/cli/example.js', ['--out', dir]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`loss curve drawn to ${join(dir, 'example-loss.svg')}`);
    expect(readFileSync(join(dir, 'example-loss.svg'), 'utf8')).toMatch(/^<svg/);
    expect(readFileSync(join(repo, '.gitignore'), 'utf8').split('\n')).toContain('out/');
  });
  it('npm run race -- --scipy reads the vendored SciPy and torch references by default', () => {
    const result = run('dist/cli/race.js', ['--scipy']);
    expect(result.status).toBe(0);
    expect(existsSync(join(repo, 'test/fixtures/reference/scipy.json'))).toBe(true);
    expect(result.stderr).toContain('reading scipy.json and closure.json in test/fixtures/reference');
    expect(result.stdout).toMatch(/^ravine vs scipy\.optimize 1\.10\.1/);
    expect(result.stdout).toMatch(/rosenbrock n=10 L-BFGS-B\s+71\s+\d+/);
    expect(result.stdout).toMatch(/vs torch\.optim\.LBFGS 1\.13/);
  });
});
