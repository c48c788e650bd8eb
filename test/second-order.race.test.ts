// `npm run race` (dist/cli/race.js, built by `npm test`'s pretest): the numbers docs/second-order.md
// quotes, and an SVG with one trajectory per racer over the surface.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const race = fileURLToPath(new URL('../dist/cli/race.js', import.meta.url));

describe('npm run race', () => {
  it('on the κ = 100 ravine: Newton 1, Newton-CG 2, L-BFGS 8, Adam 796 iterations to f ≤ 1e-8, and an SVG of the four trajectories', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ravine-race-'));
    const svg = join(dir, 'race.svg');
    const out = execFileSync(process.execPath, [race, '--out', dir], { encoding: 'utf8' });
    const arrived = Object.fromEntries(out.split('\n').flatMap((line) => {
      const m = /^(Newton-CG|Newton|L-BFGS|Adam \(lr 0.05\))\s+(\S+)/.exec(line);
      return m ? [[m[1], m[2]]] : [];
    }));
    expect(arrived).toEqual({ Newton: '1', 'Newton-CG': '2', 'L-BFGS': '8', 'Adam (lr 0.05)': '796' });
    const drawing = readFileSync(svg, 'utf8');
    expect(drawing.match(/<polyline /g)?.length).toBe(4);
    expect(drawing).toMatch(/Adam \(lr 0.05\): 796 iterations/);
    expect(readFileSync(join(dir, 'race-loss.svg'), 'utf8')).toMatch(/<polyline /);
  });
});
