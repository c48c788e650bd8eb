// The training guide's loop is examples/training-loop.mjs, verbatim, and it runs: a checkpoint written to
// disk and read back in the middle, the loss still falling after it, the guard's skip counted.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';

const example = fileURLToPath(new URL('../examples/training-loop.mjs', import.meta.url));

test('docs/training.md shows examples/training-loop.mjs as it is', () => {
  const guide = readFileSync(new URL('../docs/training.md', import.meta.url), 'utf8');
  expect(guide).toContain(`\`\`\`js\n${readFileSync(example, 'utf8')}\`\`\``);
});

test('the training loop runs: 100 steps, a checkpoint on disk, 100 more from it in a fresh context, one NaN step skipped', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'ravine-example-'));
  const out = execFileSync(process.execPath, [example], { cwd, encoding: 'utf8' });
  const lines = out.trim().split('\n');
  expect(lines).toHaveLength(2);
  const f = lines.map((l) => Number(/f = (\S+),/.exec(l)![1]));
  expect(lines[0]).toMatch(/^step 100: .*momentum = 0\.90, .*skipped 0$/);
  expect(lines[1]).toMatch(/^step 200: .*lr = 1\.0\de-4, .*skipped 1$/);
  expect(f[1]).toBeLessThan(f[0] / 10);
  expect(new TextDecoder().decode(readFileSync(join(cwd, 'out/checkpoint.ravine')).subarray(0, 4))).toBe('RAVN');
});
