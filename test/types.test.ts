// The published types: a strict consumer compiles against dist/*.d.ts without skipLibCheck, so no
// internal name leaks into a public declaration, and a misuse is a type error.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
const flags = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--lib', 'es2022,dom', '--types', 'node'];

function check(file: string): string {
  try {
    execFileSync(process.execPath, [tsc, ...flags, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return '';
  } catch (e) {
    return String((e as { stdout?: string }).stdout);
  }
}

it('a strict TypeScript consumer compiles against the built declarations; a wrong option type does not', () => {
  const consumer = fileURLToPath(new URL('./fixtures/consumer.ts', import.meta.url));
  expect(check(consumer)).toBe('');
  const misuse = fileURLToPath(new URL('../build/misuse.ts', import.meta.url));
  writeFileSync(misuse, "import { Adam, createRavine } from '../dist/index.js';\nconst rv = await createRavine();\nnew Adam([rv.tensor('w', 1)], { lr: '0.1' });\n");
  expect(check(misuse)).toMatch(/misuse\.ts\(3,\d+\): error TS2322: Type 'string' is not assignable to type 'number \| ScheduleDriver \| undefined'/);
});
