// Tiny renderers for loss curves: a terminal chart and a standalone SVG. No dependencies.

/** A `height`-row terminal chart of `values` (log scale when they span decades). */
export function asciiChart(values: number[], height = 8, width = 60): string {
  const logScale = Math.min(...values) > 0 && Math.max(...values) / Math.min(...values) > 100;
  const ys = values.map((v) => (logScale ? Math.log10(v) : v));
  const lo = Math.min(...ys),
    hi = Math.max(...ys);
  const columns = Array.from(
    { length: Math.min(width, ys.length) },
    (_, c) => ys[Math.floor((c * (ys.length - 1)) / Math.max(1, Math.min(width, ys.length) - 1))],
  );
  const rows: string[] = [];
  for (let r = height - 1; r >= 0; r--) {
    const level = lo + ((hi - lo) * (r + 0.5)) / height;
    const label = (logScale ? 10 ** level : level).toExponential(2).padStart(9);
    rows.push(`${label} |${columns.map((y) => (y >= level ? '█' : ' ')).join('')}`);
  }
  rows.push(`${' '.repeat(9)} +${'-'.repeat(columns.length)}`);
  return rows.join('\n');
}

/** An SVG polyline of each named series (log-scaled y when every value is positive). */
export function svgChart(series: Record<string, number[]>, title: string): string {
  const W = 640,
    H = 360,
    pad = 48;
  const all = Object.values(series).flat();
  const log = all.every((v) => v > 0);
  const t = (v: number) => (log ? Math.log10(v) : v);
  const lo = Math.min(...all.map(t)),
    hi = Math.max(...all.map(t));
  const longest = Math.max(...Object.values(series).map((s) => s.length));
  const colors = ['#0b6e99', '#d9480f', '#2b8a3e', '#862e9c', '#e67700'];
  const lines = Object.entries(series).map(([name, values], k) => {
    const points = values.map(
      (v, i) => `${(pad + ((W - 2 * pad) * i) / Math.max(1, longest - 1)).toFixed(1)},${(H - pad - ((H - 2 * pad) * (t(v) - lo)) / (hi - lo || 1)).toFixed(1)}`,
    );
    return (
      `<polyline fill="none" stroke="${colors[k % colors.length]}" stroke-width="2" points="${points.join(' ')}"/>` +
      `<text x="${W - pad - 150}" y="${pad + 18 * k}" fill="${colors[k % colors.length]}" font-size="13">${name}</text>`
    );
  });
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif">` +
    `<rect width="100%" height="100%" fill="white"/><text x="${pad}" y="24" font-size="15">${title}</text>` +
    `<line x1="${pad}" y1="${H - pad}" x2="${W - pad}" y2="${H - pad}" stroke="#888"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${H - pad}" stroke="#888"/>` +
    `<text x="${pad}" y="${H - 16}" font-size="12">step</text><text x="6" y="${pad - 8}" font-size="12">${log ? 'loss (log)' : 'loss'}</text>` +
    `<text x="4" y="${pad + 4}" font-size="11">${(log ? 10 ** hi : hi).toPrecision(3)}</text><text x="4" y="${H - pad}" font-size="11">${(log ? 10 ** lo : lo).toPrecision(3)}</text>` +
    `${lines.join('')}</svg>\n`
  );
}
