// How the source is put together, where a drift would go unnoticed otherwise: describe() (every error
// message's way of showing a value) is a leaf module, so validating a number never imports the context
// factory and its backends.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const files = (dir: string): string[] => readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? files(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));

it('describe() lives in a module that imports nothing, and every file takes it from there, not from the context factory', () => {
  expect(readFileSync(join(src, 'describe.ts'), 'utf8')).not.toMatch(/^import /m);
  const offenders = files(src).filter((f) => /import \{[^}]*\bdescribe\b[^}]*\} from '[./]*ravine\.js'/.test(readFileSync(f, 'utf8')));
  expect(offenders).toEqual([]);
  const users = files(src).filter((f) => /from '[./]*describe\.js'/.test(readFileSync(f, 'utf8')));
  expect(users.length).toBeGreaterThan(25);
});
