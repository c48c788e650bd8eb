// f − f* per step on log–log axes: log x (step + 1) so a 1-step Newton and a 1,000-step GD are both
// readable, log y so 1e−12 and 1e+2 are.
import { scaleLog } from 'd3-scale';
import { bottomAxis, leftAxis } from './axes.js';
import { legendColumn, runsLegend } from './legend.js';
import { colorsOf } from './palette.js';
import { document, escapeXml, px, text, titleHeight, titleSvg, titleWidth } from './svg.js';
import { polylinePath } from './trajectory.js';
import type { Run } from './types.js';

const plotWidth = 600,
  plotHeight = 340,
  left = 72,
  bottom = 64,
  gap = 28,
  margin = 16,
  maxDots = 120;
/** A diverging run would stretch y to 1e+300: the axis stops this many decades above the highest start. */
const decadesAboveStart = 4;

function yDomain(runs: readonly Run[]): [number, number] {
  const finite = runs.flatMap((r) => r.losses).filter((v) => v > 0 && Number.isFinite(v));
  if (finite.length === 0) return [1e-16, 1];
  const starts = runs.map((r) => r.losses[0]).filter((v) => v > 0 && Number.isFinite(v));
  const cap = starts.length > 0 ? Math.max(...starts) * 10 ** decadesAboveStart : Infinity;
  const lo = Math.min(...finite),
    hi = Math.min(Math.max(...finite), cap);
  return lo < hi ? [lo, hi] : [lo / 10, lo * 10];
}

export function lossSvg(title: string, runs: readonly Run[]): string {
  const longest = Math.max(2, ...runs.map((r) => r.losses.length));
  // Not nice()d: a 200-step run would get an axis to 1,000 and use two thirds of the width.
  const x = scaleLog()
    .domain([1, Math.max(10, longest)])
    .range([0, plotWidth]);
  const y = scaleLog().domain(yDomain(runs)).range([plotHeight, 0]).nice();
  const floor = y.domain()[0];
  const colors = colorsOf(runs);
  // An exact 0 (Newton on a quadratic) has no logarithm: it is drawn on the axis floor.
  const lines = runs.map((run, k) => {
    const points = run.losses.map((v, i) => [i + 1, Number.isNaN(v) ? NaN : Math.max(v, floor)] as const);
    const dots =
      points.length <= maxDots
        ? points
            .filter(([, v]) => Number.isFinite(v))
            .map(([i, v]) => `<circle cx="${px(x(i))}" cy="${px(y(v))}" r="2.2"/>`)
            .join('')
        : '';
    return (
      `<g class="run" data-label="${escapeXml(run.label)}"><path class="loss" data-label="${escapeXml(run.label)}" d="${polylinePath(points, x, y)}" fill="none" stroke="${colors[k]}" stroke-width="2" stroke-linejoin="round"/>` +
      `<g fill="${colors[k]}">${dots}</g></g>`
    );
  });
  const clamped = runs.some((r) => r.losses.some((v) => v < floor));
  const caption = clamped ? `f − f* below ${y.tickFormat(1, '.0e')(floor)} (an exact 0 too) is drawn on the lower edge` : '';
  const top = titleHeight(title) + 8;
  const plot =
    `<g class="plot" transform="translate(${left},${px(top)})">` +
    `<clipPath id="clip-loss"><rect x="-4" y="-4" width="${plotWidth + 8}" height="${plotHeight + 8}"/></clipPath>` +
    `<rect class="plot-area" width="${plotWidth}" height="${plotHeight}" fill="none" stroke="#333"/>` +
    `<g clip-path="url(#clip-loss)">${lines.join('')}</g>` +
    bottomAxis(x, plotHeight, plotWidth, 'step + 1 (log)', ',') +
    leftAxis(y, plotHeight, 'f − f* (log)', 56, '.0e') +
    (caption ? text(0, plotHeight + 52, caption, 'class="caption" font-size="11" fill="#555"') : '') +
    '</g>';
  const legendX = left + plotWidth + gap;
  const legend = legendColumn([runsLegend(runs, colors, false)], legendX, top);
  const width = Math.max(legendX + legend.width + margin, titleWidth(title) + 2 * margin);
  const height = Math.max(top + plotHeight + bottom, top + legend.height + margin);
  return document(width, height, titleSvg(title, margin) + plot + legend.svg);
}
