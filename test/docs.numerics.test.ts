// docs/numerics.md shows the torch exchange's code as it is: examples/torch-exchange.mjs verbatim (and it
// runs, printing what the guide says), and the Python of test/fixtures/torch-exchange/ravine_exchange.py,
// the functions the recording script used to move state between torch and ravine, verbatim.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { readSafetensors } from '../src/checkpoint/safetensors.js';

const guide = readFileSync(new URL('../docs/numerics.md', import.meta.url), 'utf8');
const example = fileURLToPath(new URL('../examples/torch-exchange.mjs', import.meta.url));

test('the guide shows examples/torch-exchange.mjs as it is, and it prints what the guide says', () => {
  expect(guide).toContain(`\`\`\`js\n${readFileSync(example, 'utf8')}\`\`\``);
  const cwd = mkdtempSync(join(tmpdir(), 'ravine-exchange-'));
  const out = execFileSync(process.execPath, [example], { cwd, encoding: 'utf8' }).trim();
  expect(out).toBe('step 3, exp_avg 0.0271 0.0542 -0.0813');
  expect(guide).toContain(`it prints \`${out}\``);
  const file = readSafetensors(readFileSync(join(cwd, 'adam.safetensors')));
  expect(Object.keys(file.tensors).sort()).toEqual(['state.layer.0.weight.exp_avg', 'state.layer.0.weight.exp_avg_sq', 'state.layer.0.weight.step']);
  expect(file.metadata.optimizer).toBe('Adam');
});

test('the guide shows the Python that moved state between torch and ravine in the recording, as it is', () => {
  const python = readFileSync(new URL('./fixtures/torch-exchange/ravine_exchange.py', import.meta.url), 'utf8');
  const code = python.slice(python.indexOf('import json'));
  expect(code).toContain('def save_for_ravine(optimizer, names, path):');
  expect(code).toContain('def load_from_ravine(optimizer, names, path):');
  expect(guide).toContain(`\`\`\`python\n${code.trimEnd()}\n\`\`\``);
});
