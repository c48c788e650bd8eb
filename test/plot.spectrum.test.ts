// The singular-value picture (spectrumSvg), read back: one panel per run in its colour, one line per σᵢ,
// a zero σ left out of its line instead of breaking the SVG, the reference values as dashed guides in
// every panel, and a log step axis that starts at the first step with something to draw.
import { describe, expect, it } from 'vitest';
import { spectrumSvg, type SpectrumRun } from '../src/plot/index.js';

/** σ of a 3×3 matrix growing from 0 at rate `rates` per step. */
function growing(label: string, color: string, rates: number[]): SpectrumRun {
  const steps = Array.from({ length: 51 }, (_, t) => t);
  return { label, color, note: 'a note', steps, values: steps.map((t) => rates.map((r) => r * t)) };
}

const runs = [growing('Even', '#332288', [0.1, 0.1, 0.1]), growing('Spread', '#E69F00', [1, 0.1, 0.01])];

describe('spectrumSvg', () => {
  const svg = spectrumSvg('σ over time', runs, { yLabel: 'σᵢ(W) (log)', reference: [2, 1, 0.5], referenceLabel: 'σᵢ(W*)', steps: 'log' });

  it('draws a panel per run with one path per singular value in that run’s colour, and no NaN anywhere', () => {
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
    for (const run of runs) {
      const panel = new RegExp(`<g class="panel" data-label="${run.label}".*?</g></g>`).exec(svg)![0];
      const paths = [...panel.matchAll(/<path class="sigma" data-index="(\d)" d="([^"]*)"[^>]*stroke="([^"]+)"/g)];
      expect(paths.map((m) => m[1])).toEqual(['0', '1', '2']);
      for (const m of paths) {
        expect(m[3]).toBe(run.color);
        // σ = 0 at step 0 has no logarithm: each line has the 50 later points, in one piece.
        expect(m[2].match(/[ML]/g)).toHaveLength(50);
        expect(m[2].match(/M/g)).toHaveLength(1);
      }
    }
  });

  it('draws the three reference values as dashed guides in each panel and names them in the legend', () => {
    // Three per panel, and one in the legend.
    expect(svg.match(/stroke-dasharray="4 3"\/>/g)).toHaveLength(3 * runs.length + 1);
    expect(svg).toContain('σᵢ(W*)');
  });

  it('labels the log step axis "step + 1" and starts it at step 1 + 1, the first step with a σ above 0', () => {
    expect(svg).toMatch(/class="axis-label"[^>]*>step \+ 1 \(log\)/);
    const first = /<g class="axis x">.*?<g class="tick" data-value="([^"]+)" transform="translate\(([-\d.e]+),/.exec(svg)!;
    expect(Number(first[1])).toBe(2);
    expect(Number(first[2])).toBe(0);
  });
});
