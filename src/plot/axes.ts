// Axes from d3-scale's ticks and tick formats (d3-axis needs a DOM; the geometry is the scale's).
import { escapeXml, px, text } from './svg.js';

/** The part of a d3 scale an axis reads. */
export interface TickScale {
  (value: number): number;
  ticks(count?: number): number[];
  tickFormat(count?: number, specifier?: string): (value: number) => string;
}

/** Ticks for about one label per `spacing` px of axis. */
export function tickCount(length: number, spacing = 70): number {
  return Math.max(2, Math.round(length / spacing));
}

/**
 * A bottom axis at y = `top` (plot coordinates) across `width`, with its label below. A log scale's
 * tickFormat returns '' for minor ticks: they get a short tick and no label.
 */
export function bottomAxis(scale: TickScale, top: number, width: number, label: string, specifier?: string): string {
  const count = tickCount(width);
  const format = scale.tickFormat(count, specifier);
  const ticks = scale.ticks(count).map((value) => {
    const x = scale(value),
      name = format(value);
    return (
      `<g class="tick" data-value="${value}" transform="translate(${px(x)},${px(top)})">` +
      `<line y2="${name ? 5 : 3}" stroke="#333"/>${name ? text(0, 17, name, 'text-anchor="middle" font-size="11"') : ''}</g>`
    );
  });
  return (
    `<g class="axis x"><line x1="0" x2="${px(width)}" y1="${px(top)}" y2="${px(top)}" stroke="#333"/>${ticks.join('')}` +
    `${text(width / 2, top + 36, label, 'class="axis-label" text-anchor="middle" font-size="13"')}</g>`
  );
}

/** A left axis at x = 0 down `height`, with its label turned along it. */
export function leftAxis(scale: TickScale, height: number, label: string, labelOffset: number, specifier?: string): string {
  const count = tickCount(height, 50);
  const format = scale.tickFormat(count, specifier);
  const ticks = scale.ticks(count).map((value) => {
    const y = scale(value),
      name = format(value);
    return (
      `<g class="tick" data-value="${value}" transform="translate(0,${px(y)})">` +
      `<line x2="${name ? -5 : -3}" stroke="#333"/>${name ? text(-8, 4, name, 'text-anchor="end" font-size="11"') : ''}</g>`
    );
  });
  return (
    `<g class="axis y"><line x1="0" x2="0" y1="0" y2="${px(height)}" stroke="#333"/>${ticks.join('')}` +
    `<text class="axis-label" transform="translate(${px(-labelOffset)},${px(height / 2)}) rotate(-90)" text-anchor="middle" font-size="13">${escapeXml(label)}</text></g>`
  );
}
