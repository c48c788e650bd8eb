// The race's pictures, read back as a person would check them: one coloured path per optimizer, axes
// with tick labels, one unit the same length on both axes, the start and minimum marked, the legend
// beside the plot, log axes for f − f*, and a PNG of the width asked for.
import { describe, expect, it } from 'vitest';
import { colorOf, contourSvg, lossSvg, okabeIto, panelsSvg, toPng, type Run, type SurfaceView } from '../src/plot/index.js';
import { DrawingPackagesMissing, loadPlot } from '../src/plot/load.js';

const f = (x: number, y: number) => 0.5 * (100 * x * x + y * y);
const start = [0.15, 1.8] as const;

/** Gradient descent with heavy-ball momentum on f, recording iterates and f − f*. */
function descend(label: string, lr: number, steps: number, momentum = 0): Run {
  let [x, y] = start,
    vx = 0,
    vy = 0;
  const points: [number, number][] = [[x, y]],
    losses = [f(x, y)];
  for (let i = 0; i < steps; i++) {
    vx = momentum * vx + 100 * x;
    vy = momentum * vy + y;
    x -= lr * vx;
    y -= lr * vy;
    points.push([x, y]);
    losses.push(f(x, y));
  }
  return { label, points, losses };
}

const runs: Run[] = [descend('GD', 0.019, 300), descend('momentum', 0.004, 150, 0.9), { label: 'Newton', points: [start, [0, 0]], losses: [f(...start), 0] }];
const view: SurfaceView = {
  title: 'ravine 0.5·(100·w1² + w2²), κ = 100\nGD lr 0.019 · momentum lr 0.004 β 0.9',
  f,
  fStar: 0,
  minimum: [0, 0],
  start,
  x: [-0.5, 0.5],
  y: [-2, 2],
};

/** Well-formed enough for a browser: every tag closed in order, one root. */
function expectWellFormed(svg: string): void {
  const stack: string[] = [];
  for (const m of svg.matchAll(/<(\/?)([a-zA-Z][\w-]*)[^>]*?(\/?)>/g)) {
    if (m[1]) expect(stack.pop()).toBe(m[2]);
    else if (!m[3]) stack.push(m[2]);
  }
  expect(stack).toEqual([]);
  expect(svg.trim().startsWith('<svg ')).toBe(true);
  expect(svg).not.toMatch(/NaN|Infinity|undefined/);
}

function translateOf(tag: string): [number, number] {
  const m = /translate\(([-\d.e]+),([-\d.e]+)\)/.exec(tag)!;
  return [Number(m[1]), Number(m[2])];
}

/** (value, pixel) of each labelled tick of the x or y axis inside `svg`'s first plot. */
function ticksOf(svg: string, axis: 'x' | 'y'): { value: number; pixel: number; label: string }[] {
  const body = new RegExp(`<g class="axis ${axis}">(.*?)class="axis-label"`).exec(svg)![1];
  return [...body.matchAll(/<g class="tick" data-value="([^"]+)" (transform="[^"]+")>(?:<line[^>]*\/>)(?:<text[^>]*>([^<]*)<\/text>)?/g)].map((m) => ({
    value: Number(m[1]),
    pixel: translateOf(m[2])[axis === 'x' ? 0 : 1],
    label: m[3] ?? '',
  }));
}

function boxOf(svg: string, className: 'plot' | 'legend', rectClass: 'plot-area' | 'legend-box') {
  const group = new RegExp(`<g class="${className}" (transform="[^"]+")`).exec(svg)!;
  const [x, y] = translateOf(group[1]);
  const rect = new RegExp(`<rect class="${rectClass}" width="([\\d.]+)" height="([\\d.]+)"`).exec(svg)!;
  return { x, y, width: Number(rect[1]), height: Number(rect[2]) };
}

describe('colorOf', () => {
  it('gives each optimizer its Okabe–Ito colour by its place in the list, the same in every picture', () => {
    const labels = ['GD', 'momentum', 'Newton'];
    expect(labels.map((l) => colorOf(l, labels))).toEqual(okabeIto.slice(0, 3));
    expect(colorOf('Newton', labels)).toBe(colorOf('Newton', [...labels]));
    expect(okabeIto).toContain(colorOf('not in the list', labels));
  });
});

describe('contourSvg on the κ = 100 ravine', () => {
  const svg = contourSvg(view, runs);

  it('is well-formed SVG with the title lines and log-spaced contour levels of f − f*', () => {
    expectWellFormed(svg);
    expect(svg).toContain('κ = 100');
    expect(svg).toContain('momentum lr 0.004');
    const levels = [...svg.matchAll(/class="level" data-level="([^"]+)"/g)].map((m) => Number(m[1]));
    expect(levels.length).toBeGreaterThanOrEqual(5);
    const ratios = levels.slice(1).map((l, i) => l / levels[i]);
    expect(Math.max(...ratios)).toBeLessThanOrEqual(10.0001);
    expect(levels[levels.length - 1] / levels[0]).toBeGreaterThan(100);
    expect(svg).toContain('f − f* levels');
  });

  it("draws one trajectory path per run, in that run's colour, clipped to the plot", () => {
    const paths = [...svg.matchAll(/<path class="trajectory" data-label="([^"]+)" d="([^"]+)"[^>]*stroke="([^"]+)"/g)];
    expect(paths.map((m) => m[1])).toEqual(['GD', 'momentum', 'Newton']);
    expect(paths.map((m) => m[3])).toEqual(
      runs.map((r) =>
        colorOf(
          r.label,
          runs.map((q) => q.label),
        ),
      ),
    );
    expect(paths[2][2].split('L')).toHaveLength(2);
    expect(svg).toMatch(/<g clip-path="url\(#clip-plane\)">.*class="trajectory"/);
  });

  it('labels both axes (w1, w2) with ticks, and one unit is as long on x as on y', () => {
    const x = ticksOf(svg, 'x'),
      y = ticksOf(svg, 'y');
    expect(x.length).toBeGreaterThanOrEqual(3);
    expect(y.length).toBeGreaterThanOrEqual(3);
    expect(x.every((t) => t.label !== '')).toBe(true);
    expect(y.map((t) => t.label)).toContain('0.0');
    const pxPerUnitX = (x[x.length - 1].pixel - x[0].pixel) / (x[x.length - 1].value - x[0].value);
    const pxPerUnitY = (y[0].pixel - y[y.length - 1].pixel) / (y[y.length - 1].value - y[0].value);
    expect(pxPerUnitX).toBeGreaterThan(50);
    expect(Math.abs(pxPerUnitX - pxPerUnitY) / pxPerUnitX).toBeLessThan(0.005);
    expect(svg).toMatch(/class="axis-label"[^>]*>w1</);
    expect(svg).toMatch(/class="axis-label"[^>]*>w2</);
    const area = boxOf(svg, 'plot', 'plot-area');
    expect(area.height / area.width).toBeCloseTo(4, 2); // the domain is 1 wide and 4 tall
  });

  it('marks the start and the minimum where they are', () => {
    const x = ticksOf(svg, 'x'),
      y = ticksOf(svg, 'y');
    const at = (ticks: typeof x, v: number) => ticks[0].pixel + ((v - ticks[0].value) * (ticks[1].pixel - ticks[0].pixel)) / (ticks[1].value - ticks[0].value);
    const startMark = /<circle class="start" cx="([\d.]+)" cy="([\d.]+)"/.exec(svg)!;
    expect(Number(startMark[1])).toBeCloseTo(at(x, 0.15), 0);
    expect(Number(startMark[2])).toBeCloseTo(at(y, 1.8), 0);
    const minimum = /<path class="minimum" (transform="[^"]+")/.exec(svg)!;
    const [mx, my] = translateOf(minimum[1]);
    expect(mx).toBeCloseTo(at(x, 0), 0);
    expect(my).toBeCloseTo(at(y, 0), 0);
  });

  it('puts the legend (every run, start, minimum) outside the plotting area', () => {
    const plot = boxOf(svg, 'plot', 'plot-area'),
      legend = boxOf(svg, 'legend', 'legend-box');
    const overlaps = legend.x < plot.x + plot.width && plot.x < legend.x + legend.width && legend.y < plot.y + plot.height && plot.y < legend.y + legend.height;
    expect(overlaps).toBe(false);
    const width = Number(/<svg [^>]*width="(\d+)"/.exec(svg)![1]);
    expect(legend.x + legend.width).toBeLessThanOrEqual(width);
    const legendBody = svg.slice(svg.indexOf('<g class="legend"'));
    for (const label of ['GD', 'momentum', 'Newton', 'start', 'minimum']) expect(legendBody).toContain(`>${label}<`);
  });

  it('ends a trajectory at a NaN point and keeps drawing the others', () => {
    const diverged: Run = {
      label: 'SGD lr 0.03',
      note: 'diverged at step 3',
      points: [start, [-0.3, 1.7], [0.6, 1.6], [NaN, NaN], [NaN, NaN]],
      losses: [1, 2, 3, NaN, NaN],
    };
    const drawing = contourSvg(view, [...runs, diverged]);
    expectWellFormed(drawing);
    const d = /<path class="trajectory" data-label="SGD lr 0.03" d="([^"]+)"/.exec(drawing)![1];
    expect(d.match(/[ML]/g)).toHaveLength(3);
    expect(drawing).toContain('SGD lr 0.03 (diverged at step 3)');
  });
});

describe('panelsSvg', () => {
  const svg = panelsSvg(view, runs);

  it('draws one panel per run, each with its own single trajectory and the same axes', () => {
    expectWellFormed(svg);
    const panels = svg.split('<g class="panel" ').slice(1);
    expect(panels).toHaveLength(runs.length);
    const axes = panels.map((p) => JSON.stringify([ticksOf(p, 'x').map((t) => [t.value, t.pixel]), ticksOf(p, 'y').map((t) => [t.value, t.pixel])]));
    expect(new Set(axes).size).toBe(1);
    panels.forEach((p, k) => {
      expect(p.match(/class="trajectory"/g)).toHaveLength(1);
      expect(p).toContain(`data-label="${runs[k].label}"`);
      expect(p).toMatch(/class="start"/);
      expect(p).toMatch(/class="minimum"/);
    });
    const ids = [...svg.matchAll(/<clipPath id="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(runs.length);
  });
});

describe('lossSvg', () => {
  const svg = lossSvg('ravine κ = 100: f − f* per step', runs);

  it("uses log axes: step + 1 from 1 and f − f* in decades, so Newton's one step and GD's 300 both show", () => {
    expectWellFormed(svg);
    const x = ticksOf(svg, 'x').filter((t) => t.label),
      y = ticksOf(svg, 'y').filter((t) => t.label);
    expect(x[0].value).toBe(1);
    // Equal pixel distances per decade on both axes.
    const xDecade = (t: typeof x) => t.filter((u) => Number.isInteger(Math.log10(u.value)));
    const xs = xDecade(x),
      ys = xDecade(y);
    expect(xs.length).toBeGreaterThanOrEqual(3);
    expect(ys.length).toBeGreaterThanOrEqual(4);
    const gaps = (t: typeof x) => t.slice(1).map((u, i) => Math.abs(u.pixel - t[i].pixel) / Math.abs(Math.log10(u.value / t[i].value)));
    for (const g of [gaps(xs), gaps(ys)]) expect(Math.max(...g) - Math.min(...g)).toBeLessThan(0.5);
    expect(svg).toMatch(/class="axis-label"[^>]*>step \+ 1/);
    expect(svg).toMatch(/class="axis-label"[^>]*>f − f\*/);
    const newton = /<path class="loss" data-label="Newton" d="([^"]+)"/.exec(svg)![1];
    const [, x1] = newton
      .split(/[ML]/)
      .filter(Boolean)
      .map((p) => Number(p.split(',')[0]));
    // Step 1 sits log10(2) of a decade from step 0 (60 px here), not in the first 2 px as on a linear axis of 300 steps.
    expect(x1).toBeCloseTo(Math.log10(2) * gaps(xs)[0], 0);
    expect(x1).toBeGreaterThan(50);
    expect(svg.match(/<path class="loss"/g)).toHaveLength(3);
  });
});

describe('toPng', () => {
  it("renders a PNG of the width asked for, and at the picture's own size without one", () => {
    const svg = contourSvg(view, runs);
    const png = toPng(svg, 900);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view32 = new DataView(png.buffer, png.byteOffset);
    expect(view32.getUint32(16)).toBe(900);
    const own = toPng(svg);
    expect(new DataView(own.buffer, own.byteOffset).getUint32(16)).toBe(Number(/<svg [^>]*width="(\d+)"/.exec(svg)![1]));
  });
});

describe('loadPlot', () => {
  /** An importer for which `missing` are not installed and `failing` throw as a broken native binary does. */
  const importer =
    (missing: string[], failing: string[] = []) =>
    async (name: string) => {
      if (missing.includes(name))
        throw Object.assign(new Error(`Cannot find package '${name}' imported from /x/dist/plot/load.js`), { code: 'ERR_MODULE_NOT_FOUND' });
      if (failing.includes(name))
        throw Object.assign(new Error(`Cannot find module '${name}-linux-x64-gnu'\nRequire stack:\n- /x`), { code: 'MODULE_NOT_FOUND' });
      return {};
    };

  it('with every drawing package installed, gives the plot module', async () => {
    expect((await loadPlot(importer([]))).contourSvg).toBe(contourSvg);
  });

  it("with one missing and one failing to load, names both, the failure's first line, and npm install for exactly those two", async () => {
    const error = await loadPlot(importer(['d3-contour'], ['@resvg/resvg-js'])).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DrawingPackagesMissing);
    expect((error as DrawingPackagesMissing).message).toBe(
      'the pictures are drawn with d3-array, d3-contour, d3-scale and @resvg/resvg-js (optional peer dependencies, not installed with ravine); ' +
        "d3-contour is not installed; @resvg/resvg-js does not load (Cannot find module '@resvg/resvg-js-linux-x64-gnu'): npm install d3-contour @resvg/resvg-js",
    );
  });

  it('with all four missing, names them once and installs all four', async () => {
    await expect(loadPlot(importer(['d3-array', 'd3-contour', 'd3-scale', '@resvg/resvg-js']))).rejects.toThrow(
      /^the pictures are drawn with d3-array, d3-contour, d3-scale and @resvg\/resvg-js \(optional peer dependencies, not installed with ravine\): npm install d3-array d3-contour d3-scale @resvg\/resvg-js$/,
    );
  });
});
