// The published types: a strict consumer compiles against dist/*.d.ts without skipLibCheck, so no
// internal name leaks into a public declaration, and a misuse is a type error.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
const flags = [
  '--noEmit',
  '--strict',
  '--module',
  'nodenext',
  '--moduleResolution',
  'nodenext',
  '--target',
  'es2022',
  '--lib',
  'es2022,dom',
  '--types',
  'node',
];

function check(file: string, extra: string[] = []): string {
  try {
    execFileSync(process.execPath, [tsc, ...flags, ...extra, file], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return '';
  } catch (e) {
    return String((e as { stdout?: string }).stdout);
  }
}

it('a strict TypeScript consumer compiles against the built declarations; a wrong option type does not', () => {
  const consumer = fileURLToPath(new URL('./fixtures/consumer.ts', import.meta.url));
  expect(check(consumer)).toBe('');
  const misuse = fileURLToPath(new URL('../build/misuse.ts', import.meta.url));
  writeFileSync(
    misuse,
    "import { Adam, createRavine } from '../dist/index.js';\nconst rv = await createRavine();\nnew Adam([rv.tensor('w', 1)], { lr: '0.1' });\n",
  );
  expect(check(misuse)).toMatch(/misuse\.ts\(3,\d+\): error TS2322: Type 'string' is not assignable to type 'number \| ScheduleDriver \| undefined'/);
});

it("ravine/tfjs: stateDict().options is typed as the optimizer's options, so a strict consumer reads lr as a number (TF.js's own declarations need skipLibCheck)", () => {
  const consumer = fileURLToPath(new URL('./fixtures/tfjs-consumer.ts', import.meta.url));
  expect(check(consumer, ['--skipLibCheck'])).toBe('');
  const misuse = fileURLToPath(new URL('../build/tfjs-misuse.ts', import.meta.url));
  writeFileSync(
    misuse,
    "import { createRavine } from '../dist/index.js';\nimport { ravineAdam } from '../dist/tfjs/index.js';\nconst lr: string = ravineAdam(await createRavine()).stateDict().options.lr;\nvoid lr;\n",
  );
  expect(check(misuse, ['--skipLibCheck'])).toMatch(/tfjs-misuse\.ts\(3,\d+\): error TS2322: Type 'number' is not assignable to type 'string'/);
});
