// The closing line `tests: N passed, M failed` is read by CI: a run with a test file that fails to
// import must not be summarised as "0 failed".
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const vitest = fileURLToPath(new URL('../node_modules/vitest/vitest.mjs', import.meta.url));
const root = fileURLToPath(new URL('./fixtures/summary/', import.meta.url));

it('a test file that fails to import counts as a failure in the closing line, and vitest exits non-zero', () => {
  const run = spawnSync(process.execPath, [vitest, 'run', '--root', root], { encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' } });
  expect(run.status).not.toBe(0);
  const lines = run.stdout.trim().split('\n');
  expect(lines.at(-1)).toBe('tests: 1 passed, 1 failed, 1 skipped');
  expect(lines.at(-2)).toBe('(failures include: 1 test file failed outside any test)');
});
