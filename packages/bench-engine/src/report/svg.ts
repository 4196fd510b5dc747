/**
 * Minimal SVG line charts for the HTML report, rendered to strings here so the report needs
 * no script or library. Inline SVG in HTML needs no xmlns, so the output holds no URL at all.
 */

export interface ChartSeries {
  name: string;
  color: string;
  /** [x, y] in data units. */
  points: readonly (readonly [number, number])[];
}

export interface ChartMarker {
  x: number;
  label: string;
  color: string;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  markers?: readonly ChartMarker[];
  /** Tick labels for the x axis; default: numbers. */
  xTicks?: readonly { x: number; label: string }[];
  width?: number;
  height?: number;
}

const PAD = { left: 64, right: 16, top: 28, bottom: 44 };

export function lineChart(options: ChartOptions): string {
  const width = options.width ?? 880;
  const height = options.height ?? 260;
  const all = options.series.flatMap((s) => s.points);
  const xs = [...all.map((p) => p[0]), ...(options.markers ?? []).map((m) => m.x)];
  const ys = all.map((p) => p[1]);
  const xMin = xs.length === 0 ? 0 : Math.min(...xs);
  const xMax = xs.length === 0 ? 1 : Math.max(...xs, xMin + 1e-9);
  const yMax = niceCeil(ys.length === 0 ? 1 : Math.max(...ys, 1e-9));
  const plotW = width - PAD.left - PAD.right;
  const plotH = height - PAD.top - PAD.bottom;
  const sx = (x: number): number => PAD.left + ((x - xMin) / (xMax - xMin || 1)) * plotW;
  const sy = (y: number): number => PAD.top + plotH - (y / yMax) * plotH;
  const parts: string[] = [];
  parts.push(
    `<svg class="chart" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img">`,
  );
  parts.push(`<title>${esc(options.title)}</title>`);
  parts.push(`<text x="${PAD.left}" y="18" class="ct">${esc(options.title)}</text>`);
  for (let i = 0; i <= 4; i++) {
    const y = (yMax * i) / 4;
    parts.push(
      `<line x1="${PAD.left}" x2="${width - PAD.right}" y1="${f(sy(y))}" y2="${f(sy(y))}" class="grid"/>` +
        `<text x="${PAD.left - 6}" y="${f(sy(y) + 4)}" class="tick" text-anchor="end">${esc(short(y))}</text>`,
    );
  }
  const xTicks = options.xTicks ?? defaultTicks(xMin, xMax).map((x) => ({ x, label: short(x) }));
  for (const tick of xTicks) {
    parts.push(
      `<text x="${f(sx(tick.x))}" y="${height - PAD.bottom + 16}" class="tick" text-anchor="middle">${esc(tick.label)}</text>`,
    );
  }
  parts.push(
    `<text x="${PAD.left + plotW / 2}" y="${height - 8}" class="axis" text-anchor="middle">${esc(options.xLabel)}</text>`,
  );
  parts.push(
    `<text x="14" y="${PAD.top + plotH / 2}" class="axis" text-anchor="middle" transform="rotate(-90 14 ${PAD.top + plotH / 2})">${esc(options.yLabel)}</text>`,
  );
  for (const marker of options.markers ?? []) {
    const x = f(sx(marker.x));
    parts.push(
      `<g class="marker"><line x1="${x}" x2="${x}" y1="${PAD.top}" y2="${PAD.top + plotH}" stroke="${marker.color}" stroke-dasharray="4 3"/>` +
        `<text x="${x}" y="${PAD.top + 10}" dx="3" fill="${marker.color}" class="tick">${esc(marker.label)}</text>` +
        `<title>${esc(marker.label)}</title></g>`,
    );
  }
  for (const series of options.series) {
    if (series.points.length === 0) continue;
    const d = series.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${f(sx(p[0]))} ${f(sy(p[1]))}`).join('');
    parts.push(
      `<path d="${d}" fill="none" stroke="${series.color}" stroke-width="1.6"><title>${esc(series.name)}</title></path>`,
    );
  }
  let legendX = PAD.left + plotW;
  for (const series of [...options.series].reverse()) {
    legendX -= 12 + series.name.length * 7;
    parts.push(
      `<rect x="${legendX}" y="9" width="9" height="9" fill="${series.color}"/><text x="${legendX + 12}" y="18" class="tick">${esc(series.name)}</text>`,
    );
  }
  parts.push(`</svg>`);
  return parts.join('');
}

function defaultTicks(min: number, max: number): number[] {
  const step = niceCeil((max - min) / 8);
  const ticks: number[] = [];
  for (let x = Math.ceil(min / step) * step; x <= max + 1e-9; x += step) ticks.push(x);
  return ticks;
}

/** The next "round" number (1, 2, 5 × 10^k) at or above `value`. */
export function niceCeil(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function short(value: number): string {
  if (value >= 1000) return `${Math.round(value / 100) / 10}k`;
  return String(Math.round(value * 100) / 100);
}

function f(value: number): string {
  return value.toFixed(1);
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}
