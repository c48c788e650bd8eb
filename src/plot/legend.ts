// Legends, drawn beside the plot and never over it: the runs (colour, label, note), the markers, and
// the contour levels' colour scale.
import type { Levels } from './levels.js';
import { formatLevel } from './levels.js';
import type { Run } from './types.js';
import { escapeXml, px, text, textWidth } from './svg.js';
import { minimumMarker, startMarker } from './trajectory.js';

/** A legend's part, drawn within [0, width] × [0, height] of its own origin. */
export interface Block {
  svg: string;
  width: number;
  height: number;
}

const row = 18,
  fontSize = 12;

function runLabel(run: Run): string {
  return run.note ? `${run.label} (${run.note})` : run.label;
}

/** One row per run, then the start and minimum markers when `markers`. */
export function runsLegend(runs: readonly Run[], colors: readonly string[], markers: boolean): Block {
  const rows = runs.map(
    (run, k) =>
      `<g class="entry" data-label="${escapeXml(run.label)}" transform="translate(0,${k * row + row / 2})">` +
      `<line x1="0" x2="22" y1="0" y2="0" stroke="${colors[k]}" stroke-width="3"/>${text(30, 4, runLabel(run), `font-size="${fontSize}"`)}</g>`,
  );
  const names = runs.map(runLabel);
  if (markers) {
    const k = runs.length;
    rows.push(`<g transform="translate(0,${k * row + row / 2})">${startMarker(11, 0)}${text(30, 4, 'start', `font-size="${fontSize}"`)}</g>`);
    rows.push(`<g transform="translate(0,${(k + 1) * row + row / 2})">${minimumMarker(11, 0)}${text(30, 4, 'minimum', `font-size="${fontSize}"`)}</g>`);
    names.push('minimum');
  }
  const width = 30 + Math.max(0, ...names.map((n) => textWidth(n, fontSize)));
  return { svg: rows.join(''), width, height: rows.length * row };
}

/** A vertical colour bar of the contour levels, lowest at the bottom, each labelled. */
export function levelsLegend(levels: Levels): Block {
  const heading = 'f − f* levels';
  const swatch = 14,
    top = 20;
  // Highest band on top, the floor (below the first level) at the bottom.
  const rows = [
    ...levels.thresholds.map((level) => ({ fill: levels.color(level), name: `≥ ${formatLevel(level)}` })).reverse(),
    { fill: levels.color(levels.floor), name: `< ${formatLevel(levels.thresholds[0])}` },
  ];
  const items = rows.map((r, k) => {
    const y = top + k * swatch;
    return (
      `<rect x="0" y="${px(y)}" width="16" height="${swatch}" fill="${r.fill}" stroke="#8a8a8a" stroke-width="0.5"/>` +
      text(22, y + swatch / 2 + 4, r.name, 'font-size="11"')
    );
  });
  const width = Math.max(textWidth(heading, fontSize), 22 + Math.max(...rows.map((r) => textWidth(r.name, 11))));
  return {
    svg: `<g class="level-scale">${text(0, 12, heading, `font-size="${fontSize}" font-weight="bold"`)}${items.join('')}</g>`,
    width,
    height: top + rows.length * swatch,
  };
}

/** Blocks stacked top to bottom at (x, y), framed as one legend; returns its size too. */
export function legendColumn(blocks: readonly Block[], x: number, y: number, gap = 20): Block {
  const pad = 8;
  let offset = pad;
  const parts = blocks.map((b) => {
    const s = `<g transform="translate(${pad},${px(offset)})">${b.svg}</g>`;
    offset += b.height + gap;
    return s;
  });
  const width = pad * 2 + Math.max(...blocks.map((b) => b.width)),
    height = offset - gap + pad;
  return {
    svg: `<g class="legend" transform="translate(${px(x)},${px(y)})"><rect class="legend-box" width="${px(width)}" height="${px(height)}" fill="white" stroke="#ccc"/>${parts.join('')}</g>`,
    width,
    height,
  };
}
