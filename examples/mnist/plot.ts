// The learning curves as one SVG (and a PNG of it): training loss per epoch on a log scale beside test
// accuracy per epoch, one colour per optimizer, legend below. Scales, ticks and tick labels are
// d3-scale's; the PNG is resvg's (no browser), as ravine's own pictures (src/plot/) are.
import { Resvg } from '@resvg/resvg-js';
import { scaleLinear, scaleLog } from 'd3-scale';
import type { Run } from './train.js';

export interface Curves {
  title: string;
  subtitle: string;
  runs: readonly (Run & { color: string })[];
}

/** The axis parts of a d3 scale. */
interface Scale {
  (value: number): number;
  ticks(count?: number): number[];
  tickFormat(count?: number, specifier?: string): (value: number) => string;
}

const font = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif";
const panelWidth = 420,
  panelHeight = 280,
  left = 70,
  gap = 100,
  margin = 16,
  top = 78,
  below = 58,
  row = 20;

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const px = (v: number) => (Math.round(v * 10) / 10).toString();
const text = (x: number, y: number, content: string, attributes = '') => `<text x="${px(x)}" y="${px(y)}" ${attributes}>${escapeXml(content)}</text>`;

/** Ticks along the bottom of a panel; epochs are whole numbers, so fractional ticks are dropped. */
function epochAxis(x: Scale, epochs: number): string {
  const ticks = x.ticks(Math.min(epochs, 10)).filter(Number.isInteger);
  return (
    ticks
      .map(
        (t) =>
          `<line x1="${px(x(t))}" x2="${px(x(t))}" y1="${panelHeight}" y2="${panelHeight + 5}" stroke="#333"/>` +
          text(x(t), panelHeight + 18, String(t), 'text-anchor="middle" font-size="11"'),
      )
      .join('') + text(panelWidth / 2, panelHeight + 38, 'epoch', 'text-anchor="middle" font-size="13"')
  );
}

/** Ticks up the left of a panel, with a faint grid line each; a log scale's unlabelled minor ticks are shorter and have no grid line. */
function valueAxis(y: Scale, label: string, specifier: string): string {
  const format = y.tickFormat(6, specifier);
  return (
    y
      .ticks(6)
      .map((t) => {
        const name = format(t);
        return (
          (name ? `<line x1="0" x2="${panelWidth}" y1="${px(y(t))}" y2="${px(y(t))}" stroke="#e4e4e4"/>` : '') +
          `<line x1="${name ? -5 : -3}" x2="0" y1="${px(y(t))}" y2="${px(y(t))}" stroke="#333"/>` +
          (name ? text(-8, y(t) + 4, name, 'text-anchor="end" font-size="11"') : '')
        );
      })
      .join('') + `<text transform="translate(${-left + 18},${panelHeight / 2}) rotate(-90)" text-anchor="middle" font-size="13">${escapeXml(label)}</text>`
  );
}

/** One panel at (x, y): a heading, axes, and a line with dots per run. */
function panel(x: number, heading: string, xScale: Scale, yScale: Scale, axes: string, lines: { color: string; points: [number, number][] }[]): string {
  const paths = lines.map(
    ({ color, points }) =>
      `<path d="${points.map(([e, v], i) => `${i ? 'L' : 'M'}${px(xScale(e))},${px(yScale(v))}`).join('')}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round"/>` +
      points.map(([e, v]) => `<circle cx="${px(xScale(e))}" cy="${px(yScale(v))}" r="2.5" fill="${color}"/>`).join(''),
  );
  return (
    `<g class="panel" transform="translate(${px(x)},${top})">${text(0, -10, heading, 'font-size="13" font-weight="bold"')}` +
    `${axes}<rect width="${panelWidth}" height="${panelHeight}" fill="none" stroke="#333"/>${paths.join('')}</g>`
  );
}

export function learningCurvesSvg({ title, subtitle, runs }: Curves): string {
  const epochs = Math.max(1, ...runs.map((r) => r.epochs.length - 1));
  const x = scaleLinear().domain([0, epochs]).range([0, panelWidth]);
  const losses = runs.flatMap((r) => r.epochs.map((e) => e.trainLoss));
  const yLoss = scaleLog()
    .domain([Math.min(...losses), Math.max(...losses)])
    .range([panelHeight, 0])
    .nice();
  // Accuracy from epoch 1: the initial weights' ~10% would squash the differences that matter.
  const trained = runs.flatMap((r) => r.epochs.slice(1).map((e) => e.testAccuracy));
  const yAccuracy = scaleLinear()
    .domain([Math.min(...trained), Math.max(...trained)])
    .range([panelHeight, 0])
    .nice();
  const initial = runs[0].epochs[0].testAccuracy;

  const lossPanel = panel(
    left,
    'Training loss (mean over the epoch; log scale)',
    x,
    yLoss,
    epochAxis(x, epochs) + valueAxis(yLoss, 'cross-entropy', '~g'),
    runs.map((r) => ({ color: r.color, points: r.epochs.map((e) => [e.epoch, e.trainLoss]) })),
  );
  const accuracyPanel = panel(
    left + panelWidth + gap,
    `Test accuracy (epoch 0: ${(100 * initial).toFixed(1)}%, not shown)`,
    x,
    yAccuracy,
    epochAxis(x, epochs) + valueAxis(yAccuracy, 'test accuracy', '%'),
    runs.map((r) => ({ color: r.color, points: r.epochs.slice(1).map((e) => [e.epoch, e.testAccuracy]) })),
  );

  const legendTop = top + panelHeight + below;
  const legend = runs
    .map((r, k) => {
      const y = legendTop + k * row,
        final = r.epochs[r.epochs.length - 1].testAccuracy,
        trained = r.epochs.length - 1;
      return (
        `<line x1="${left}" x2="${left + 24}" y1="${y - 4}" y2="${y - 4}" stroke="${r.color}" stroke-width="3"/>` +
        text(
          left + 32,
          y,
          `${r.label}: ${(100 * final).toFixed(2)}% test accuracy after ${trained} epoch${trained === 1 ? '' : 's'} (${r.hyperparameters})`,
          'font-size="12"',
        )
      );
    })
    .join('');
  const width = left + 2 * panelWidth + gap + margin,
    height = legendTop + (runs.length - 1) * row + 6 + margin;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${font}">` +
    `<rect width="${width}" height="${height}" fill="white"/>` +
    text(margin, 24, title, 'font-size="15" font-weight="bold"') +
    text(margin, 44, subtitle, 'font-size="12" fill="#444"') +
    lossPanel +
    accuracyPanel +
    legend +
    '</svg>\n'
  );
}

/** The picture as PNG bytes at its own size. resvg draws text only with a font: DejaVu Sans, which Debian installs. */
export function toPng(svg: string): Uint8Array {
  const resvg = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' }, background: 'white' });
  return resvg.render().asPng();
}
