// Contour bands of f − f* at log-spaced levels (d3-contour on a sampled grid, levels from d3-array's
// ticks in log10 space), so the floor of a ravine shows as well as its walls.
import { quantile, ticks } from 'd3-array';
import { contours } from 'd3-contour';
import { scaleLog, type ScaleLogarithmic } from 'd3-scale';
import type { PlaneFrame } from './frame.js';
import type { SurfaceView } from './types.js';
import { px } from './svg.js';

export interface Levels {
  /** Ascending thresholds of f − f*. */
  thresholds: number[];
  /** Fill of the region at or above a threshold; `color(floor)` fills the region below the first. */
  color: ScaleLogarithmic<string, string>;
  /** One level step below the first threshold: the floor's colour. */
  floor: number;
  /** The bands, lowest first, as SVG paths in plot pixels. */
  paths: string[];
}

/** Light greys: trajectories in the Okabe–Ito colours stay readable on every band. */
const floorColor = '#b4b4b4',
  topColor = '#fafafa';

/** f − f* on a grid about one sample per 3 px (40 to 240 per side); sample (i, j) sits at x0 + i·dx, y1 − j·dy. */
function sample(view: SurfaceView, frame: PlaneFrame) {
  const nx = Math.max(40, Math.min(240, Math.round(frame.width / 3)));
  const ny = Math.max(40, Math.min(240, Math.round(frame.height / 3)));
  const dx = (view.x[1] - view.x[0]) / (nx - 1),
    dy = (view.y[1] - view.y[0]) / (ny - 1);
  const values = new Float64Array(nx * ny);
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) values[j * nx + i] = view.f(view.x[0] + i * dx, view.y[1] - j * dy) - view.fStar;
  }
  return { nx, ny, dx, dy, values };
}

/**
 * Log-spaced levels from near the floor to the top of the grid, at numbers a reader can say: every
 * decade when they span many (d3-array's ticks on the exponents: every 1 or 2 decades), else
 * d3-scale's log ticks thinned to 1, 2, 5 (or 1…9 within about a decade).
 */
export function logLevels(values: ArrayLike<number>): number[] {
  const positive = Array.from(values).filter((v) => v > 0 && Number.isFinite(v));
  if (positive.length === 0) return [1];
  const hi = Math.max(...positive);
  // The lowest half-percent of the grid is the minimum's neighbourhood: levels below it are rings too small to see.
  const lo = Math.max(quantile(positive, 0.005) ?? hi, hi * 1e-12);
  const decades = Math.log10(hi / lo);
  let levels: number[];
  if (decades > 5) {
    levels = ticks(Math.ceil(Math.log10(lo)), Math.floor(Math.log10(hi)), 12)
      .filter(Number.isInteger)
      .map((e) => 10 ** e);
  } else {
    const mantissas = decades > 1.2 ? [1, 2, 5] : [1, 2, 3, 4, 5, 6, 7, 8, 9];
    levels = scaleLog()
      .domain([lo, hi])
      .ticks()
      .filter((v) => mantissas.includes(Math.round(v / 10 ** Math.floor(Math.log10(v) + 1e-9))));
  }
  levels = levels.filter((v) => v >= lo && v < hi);
  return levels.length > 0 ? levels : [lo];
}

export function contourLevels(view: SurfaceView, frame: PlaneFrame): Levels {
  const grid = sample(view, frame);
  const thresholds = logLevels(grid.values);
  const ratio = thresholds.length > 1 ? thresholds[1] / thresholds[0] : 10;
  const floor = thresholds[0] / ratio;
  const color = scaleLog<string, string>()
    .domain([floor, Math.max(thresholds[thresholds.length - 1], floor * 1.0001)])
    .range([floorColor, topColor]);
  // d3-contour puts sample i at grid coordinate i + 0.5.
  const toX = (gx: number) => frame.x(view.x[0] + (gx - 0.5) * grid.dx);
  const toY = (gy: number) => frame.y(view.y[1] - (gy - 0.5) * grid.dy);
  const bands = contours().size([grid.nx, grid.ny]).thresholds(thresholds)(Array.from(grid.values));
  const paths = bands.map((band) =>
    band.coordinates.map((polygon) => polygon.map((ring) => `M${ring.map(([gx, gy]) => `${px(toX(gx))},${px(toY(gy))}`).join('L')}Z`).join('')).join(''),
  );
  return { thresholds, color, floor, paths };
}

/** The bands drawn over a floor rectangle, with thin level lines. */
export function levelsSvg(levels: Levels, width: number, height: number): string {
  const floor = `<rect width="${px(width)}" height="${px(height)}" fill="${levels.color(levels.floor)}"/>`;
  const bands = levels.paths.map((d, k) =>
    d
      ? `<path class="level" data-level="${levels.thresholds[k]}" d="${d}" fill="${levels.color(levels.thresholds[k])}" stroke="#8a8a8a" stroke-width="0.5"/>`
      : '',
  );
  return `<g class="contours">${floor}${bands.join('')}</g>`;
}

/** A level as the legend writes it: 1e−3, 3.2e+2, 10. */
export function formatLevel(value: number): string {
  const exponent = Math.floor(Math.log10(value) + 1e-9);
  const mantissa = value / 10 ** exponent;
  const head = Math.abs(mantissa - 1) < 1e-6 ? '1' : mantissa.toFixed(1);
  if (exponent >= -2 && exponent <= 3) return String(Number(value.toPrecision(2)));
  return `${head}e${exponent < 0 ? '−' : ''}${Math.abs(exponent)}`;
}
