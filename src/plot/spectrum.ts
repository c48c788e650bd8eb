// Singular values over time, one panel per optimizer: each σᵢ of a matrix a line against the step, on
// the same linear step axis and log σ axis in every panel, so panels compare at a glance. Optional
// reference values (the solution's σ) are drawn as dashed grey lines under the runs.
import { scaleLinear, scaleLog } from 'd3-scale';
import { bottomAxis, leftAxis } from './axes.js';
import { headingLineHeight, panelHeading, wrap } from './heading.js';
import { legendColumn, type Block } from './legend.js';
import { colorsOf } from './palette.js';
import { document, escapeXml, px, text, textWidth, titleHeight, titleSvg, titleWidth } from './svg.js';
import { polylinePath } from './trajectory.js';

/** One optimizer's spectra: σ (largest first) at each of `steps`. */
export interface SpectrumRun {
  label: string;
  color?: string;
  note?: string;
  steps: readonly number[];
  values: readonly ArrayLike<number>[];
}

export interface SpectrumOptions {
  /** The σ axis's label. */
  yLabel: string;
  /** Values drawn in every panel as dashed grey lines, and named in the legend by `referenceLabel`. */
  reference?: ArrayLike<number>;
  referenceLabel?: string;
  /** A line under the panels. */
  caption?: string;
  /** The step axis: linear (default), or log (step + 1 from 1), which gives the first tens of steps half the width. */
  steps?: 'linear' | 'log';
}

const plotWidth = 220,
  plotHeight = 190,
  left = 66,
  right = 18,
  headingInset = 16,
  bottom = 56,
  gap = 28,
  margin = 16,
  maxRowWidth = 1000;
/** A run that blows up would stretch σ to 1e+30: the axis stops this many decades above the largest start or reference. */
const decadesAbove = 3;

function yDomain(runs: readonly SpectrumRun[], reference: readonly number[]): [number, number] {
  const all = [...reference, ...runs.flatMap((r) => r.values.flatMap((v) => Array.from(v)))].filter((v) => v > 0 && Number.isFinite(v));
  if (all.length === 0) return [1e-3, 1];
  const firsts = [...reference, ...runs.flatMap((r) => Array.from(r.values.find((v) => Array.from(v).some((x) => x > 0)) ?? []))].filter(
    (v) => v > 0 && Number.isFinite(v),
  );
  const cap = firsts.length > 0 ? Math.max(...firsts) * 10 ** decadesAbove : Infinity;
  const lo = Math.min(...all),
    hi = Math.min(Math.max(...all), cap);
  return lo < hi ? [lo, hi] : [lo / 10, lo * 10];
}

function legend(reference: readonly number[], label: string | undefined, color: string): Block {
  const rows = [
    `<g transform="translate(0,9)"><line x1="0" x2="22" stroke="${color}" stroke-width="1.5"/>${text(30, 4, 'σᵢ, largest darkest', 'font-size="12"')}</g>`,
  ];
  const names = ['σᵢ, largest darkest'];
  if (reference.length > 0 && label) {
    rows.push(`<g transform="translate(0,27)"><line x1="0" x2="22" stroke="#999" stroke-dasharray="4 3"/>${text(30, 4, label, 'font-size="12"')}</g>`);
    names.push(label);
  }
  return { svg: rows.join(''), width: 30 + Math.max(...names.map((n) => textWidth(n, 12))), height: rows.length * 18 };
}

export function spectrumSvg(title: string, runs: readonly SpectrumRun[], o: SpectrumOptions): string {
  const reference = o.reference ? Array.from(o.reference) : [];
  const lastStep = Math.max(1, ...runs.flatMap((r) => r.steps));
  const logSteps = o.steps === 'log';
  // On log steps the axis starts at the first step with a σ to draw (W₀ = 0 has none): no empty band on the left.
  const firstDrawn = Math.min(lastStep, ...runs.flatMap((r) => r.steps.filter((_, t) => Array.from(r.values[t]).some((v) => v > 0)).slice(0, 1)));
  const x = logSteps
    ? scaleLog()
        .domain([firstDrawn + 1, lastStep + 1])
        .range([0, plotWidth])
    : scaleLinear().domain([0, lastStep]).range([0, plotWidth]).nice();
  const at = logSteps ? (step: number) => step + 1 : (step: number) => step;
  const y = scaleLog().domain(yDomain(runs, reference)).range([plotHeight, 0]).nice();
  const colors = colorsOf(runs);
  const cellWidth = left + plotWidth + right;
  const notes = runs.map((r) => wrap(r.note, cellWidth - headingInset - 24 - right));
  const heading = 14 + headingLineHeight * (1 + Math.max(0, ...notes.map((n) => n.length)));
  const cellHeight = heading + plotHeight + bottom;
  // As few rows as fit, then the panels spread evenly over them (5 panels: 3 + 2).
  const rows = Math.ceil(runs.length / Math.max(1, Math.min(runs.length, Math.floor(maxRowWidth / cellWidth))));
  const columns = Math.max(1, Math.ceil(runs.length / rows));
  const top = titleHeight(title) + 8;
  const guides = reference
    .map((v) => `<line x1="0" x2="${plotWidth}" y1="${px(y(v))}" y2="${px(y(v))}" stroke="#999" stroke-width="0.8" stroke-dasharray="4 3"/>`)
    .join('');
  const panels = runs.map((run, k) => {
    const count = Math.max(0, ...run.values.map((v) => v.length));
    // σ₁ opaque down to σₙ at 35 %: the order of the lines shows where they cross. A σ of 0 has no logarithm: the line starts after it.
    const lines = Array.from({ length: count }, (_, i) => {
      const points = run.steps.map((step, t) => [at(step), run.values[t][i] > 0 ? run.values[t][i] : NaN] as const);
      const opacity = count > 1 ? 1 - (0.65 * i) / (count - 1) : 1;
      return `<path class="sigma" data-index="${i}" d="${polylinePath(points, x, y)}" fill="none" stroke="${colors[k]}" stroke-opacity="${opacity.toFixed(2)}" stroke-width="1.4"/>`;
    });
    const px0 = (k % columns) * cellWidth,
      py0 = top + Math.floor(k / columns) * cellHeight;
    return (
      `<g class="panel" data-label="${escapeXml(run.label)}" transform="translate(${px(px0)},${px(py0)})">` +
      `<g transform="translate(${headingInset},12)">${panelHeading(run, colors[k], notes[k])}</g>` +
      `<g class="plot" transform="translate(${left},${px(heading)})">` +
      `<clipPath id="clip-spectrum-${k}"><rect width="${plotWidth}" height="${plotHeight}"/></clipPath>` +
      `<g clip-path="url(#clip-spectrum-${k})">${guides}${lines.join('')}</g>` +
      `<rect class="plot-area" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#333"/>` +
      bottomAxis(x, plotHeight, plotWidth, logSteps ? 'step + 1 (log)' : 'step', logSteps ? ',' : undefined) +
      leftAxis(y, plotHeight, o.yLabel, 50, '.0e') +
      '</g></g>'
    );
  });
  const captionHeight = o.caption ? 20 : 0;
  const caption = o.caption ? text(margin, top + rows * cellHeight + 4, o.caption, 'class="caption" font-size="11" fill="#555"') : '';
  const legendX = columns * cellWidth + gap - right;
  const key = legendColumn([legend(reference, o.referenceLabel, '#333')], legendX, top + heading);
  const width = Math.max(legendX + key.width + margin, titleWidth(title) + 2 * margin, o.caption ? textWidth(o.caption, 11) + 2 * margin : 0);
  const height = Math.max(top + rows * cellHeight + captionHeight, top + heading + key.height + margin);
  return document(width, height, titleSvg(title, margin) + panels.join('') + caption + key.svg);
}
