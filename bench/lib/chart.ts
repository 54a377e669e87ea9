/**
 * The bench's chart, drawn as a self-contained SVG (no fonts or scripts from anywhere):
 * deliveries per second and send→receive latency (p50 and p99) against the number of
 * receivers in the fanout scenario, for Hearth, the ceiling and the durable-write floor.
 */

export interface Series {
  name: string;
  color: string;
  /** [receivers, value] */
  throughput: [number, number][];
  p50: [number, number][];
  p99: [number, number][];
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
const fmt = (v: number) => (v >= 10000 ? `${Math.round(v / 1000)}k` : v >= 1000 ? `${(v / 1000).toFixed(1)}k` : v >= 10 ? String(Math.round(v)) : v.toFixed(1));

function niceMax(v: number): number {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (v <= m * p) return m * p;
  return 10 * p;
}

function panel(x0: number, y0: number, w: number, h: number, title: string, yLabel: string, xs: number[], lines: { color: string; dash?: string; pts: [number, number][]; label?: string }[], logY: boolean): string {
  const all = lines.flatMap((l) => l.pts.map((p) => p[1])).filter((v) => Number.isFinite(v) && v > 0);
  const ymax = logY ? 10 ** Math.ceil(Math.log10(Math.max(...all, 1))) : niceMax(Math.max(...all, 1));
  const ymin = logY ? 10 ** Math.floor(Math.log10(Math.min(...all, ymax / 10))) : 0;
  const lx = (x: number) => Math.log10(x);
  const xmin = lx(Math.min(...xs)) - 0.15;
  const xmax = lx(Math.max(...xs)) + 0.15;
  const px = (x: number) => x0 + ((lx(x) - xmin) / (xmax - xmin)) * w;
  const py = (y: number) => (logY ? y0 + h - ((Math.log10(y) - Math.log10(ymin)) / (Math.log10(ymax) - Math.log10(ymin))) * h : y0 + h - (y / ymax) * h);
  let s = `<text x="${x0 + w / 2}" y="${y0 - 14}" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`;
  s += `<rect x="${x0}" y="${y0}" width="${w}" height="${h}" fill="none" stroke="#999"/>`;
  const ticks: number[] = [];
  if (logY) for (let t = ymin; t <= ymax * 1.001; t *= 10) ticks.push(t);
  else for (let i = 0; i <= 5; i++) ticks.push((ymax * i) / 5);
  for (const t of ticks) {
    s += `<line x1="${x0}" x2="${x0 + w}" y1="${py(t)}" y2="${py(t)}" stroke="#e3e3e3"/>`;
    s += `<text x="${x0 - 6}" y="${py(t) + 4}" text-anchor="end" font-size="11">${fmt(t)}</text>`;
  }
  for (const x of xs) {
    s += `<line x1="${px(x)}" x2="${px(x)}" y1="${y0}" y2="${y0 + h}" stroke="#eee"/>`;
    s += `<text x="${px(x)}" y="${y0 + h + 16}" text-anchor="middle" font-size="11">${x}</text>`;
  }
  s += `<text x="${x0 + w / 2}" y="${y0 + h + 34}" text-anchor="middle" font-size="12">receivers in the room (log scale)</text>`;
  s += `<text transform="translate(${x0 - 48},${y0 + h / 2}) rotate(-90)" text-anchor="middle" font-size="12">${esc(yLabel)}</text>`;
  for (const l of lines) {
    const pts = l.pts.filter((p) => Number.isFinite(p[1]) && p[1] > 0);
    if (pts.length === 0) continue;
    s += `<polyline fill="none" stroke="${l.color}" stroke-width="2.2" ${l.dash ? `stroke-dasharray="${l.dash}"` : ""} points="${pts.map((p) => `${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(" ")}"/>`;
    for (const p of pts) {
      s += `<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="3.5" fill="${l.color}"/>`;
      if (l.label !== undefined) s += `<text x="${(px(p[0]) + 6).toFixed(1)}" y="${(py(p[1]) - 6).toFixed(1)}" font-size="10" fill="${l.color}">${fmt(p[1])}</text>`;
    }
  }
  return s;
}

export function renderChart(series: Series[], subtitle: string): string {
  const W = 1000;
  const H = 500;
  const xs = [...new Set(series.flatMap((s) => s.throughput.map((p) => p[0])))].sort((a, b) => a - b);
  let body = "";
  body += panel(80, 95, 370, 300, "Fanout: deliveries per second (median)", "deliveries / s", xs, series.map((s) => ({ color: s.color, pts: s.throughput, label: "" })), false);
  body += panel(580, 95, 370, 300, "Fanout: send→receive latency", "ms (log scale)", xs, series.flatMap((s) => [
    { color: s.color, pts: s.p99, label: "" },
    { color: s.color, pts: s.p50, dash: "5 4" },
  ]), true);
  let lx = 80;
  const ly = 462;
  for (const s of series) {
    body += `<rect x="${lx}" y="${ly - 10}" width="14" height="4" fill="${s.color}"/><text x="${lx + 20}" y="${ly - 4}" font-size="12">${esc(s.name)}</text>`;
    lx += 30 + s.name.length * 6.8;
  }
  body += `<text x="${lx + 10}" y="${ly - 4}" font-size="12">latency: solid p99, dashed p50</text>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans, Arial, sans-serif">
<rect width="100%" height="100%" fill="#fff"/>
<text x="${W / 2}" y="24" text-anchor="middle" font-size="17" font-weight="bold">Hearth against the engine's ceiling (npm run bench)</text>
<text x="${W / 2}" y="44" text-anchor="middle" font-size="12" fill="#555">${esc(subtitle)}</text>
${body}
<text x="80" y="${H - 14}" font-size="11" fill="#555">4 closed-loop senders (each waits for its ack), one room; medians over the interleaved runs.</text>
</svg>
`;
}
