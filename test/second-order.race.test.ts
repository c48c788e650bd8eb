// `ravine race` with the second-order racers and Adam at torch's reference lr, to the target of
// docs/second-order.md (f − f* ≤ 1e-8): the numbers that page quotes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const race = fileURLToPath(new URL('../dist/cli/race.js', import.meta.url));

describe('npm run race', () => {
  it('on the κ = 100 ravine: Newton 1, Newton-CG 2, L-BFGS 8, Adam (lr 0.05) 796 iterations to f − f* ≤ 1e-8', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ravine-race-'));
    const out = execFileSync(
      process.execPath,
      [race, '--surface', 'ravine', '--optimizers', 'newton,newton-cg,lbfgs,adam', '--lr', 'adam=0.05', '--target', '1e-8', '--out', dir],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    const arrived = Object.fromEntries(
      out.split('\n').flatMap((line) => {
        const m = /^(Newton-CG|Newton|L-BFGS|Adam)\s+(\S+)\s+(\S+)/.exec(line);
        return m ? [[m[1], `${m[2]} ${m[3]}`]] : [];
      }),
    );
    expect(arrived).toEqual({ Adam: '0.05 796', Newton: '– 1', 'Newton-CG': '– 2', 'L-BFGS': '– 8' });
  });
});
