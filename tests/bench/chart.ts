import type { Percentiles } from "./ledger.js";

/** One load step of the chart: what was asked, what was done, and how long it took. */
export interface ChartStep {
  label: string;
  target: number;
  accepted: number;
  delivered: number;
  acceptLatency: Percentiles;
  deliveryLatency: Percentiles;
}

const W = 760;
const PANEL = 220;
const LEFT = 70;
const RIGHT = 20;
const TOP = 40;
const GAP = 70;
const COLORS = { target: "#cbd5e1", accepted: "#2563eb", delivered: "#16a34a" };
const LINES = [
  ["p50", "#16a34a"],
  ["p95", "#d97706"],
  ["p99", "#dc2626"],
] as const;

const esc = (s: string) => s.replaceAll("&", "&amp;").replaceAll("<", "&lt;");

/**
 * Renders the stepped load as an SVG: throughput per step (asked, 202/s, delivered/s) on top,
 * received→delivered percentiles below on a log scale (dashed: the 202's own percentiles).
 */
export function renderChart(title: string, steps: readonly ChartStep[]): string {
  const plotW = W - LEFT - RIGHT;
  const slot = plotW / Math.max(1, steps.length);
  const x = (i: number) => LEFT + slot * i + slot / 2;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${TOP + 2 * PANEL + GAP + 50}" font-family="sans-serif" font-size="12">`,
    `<title>${esc(title)}</title>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${LEFT}" y="20" font-size="14" font-weight="bold">${esc(title)}</text>`,
  ];
  // Throughput panel.
  const maxRate = Math.max(1, ...steps.flatMap((s) => [s.target, s.accepted, s.delivered]));
  const yRate = (v: number) => TOP + PANEL - (v / maxRate) * PANEL;
  out.push(
    ...axis(
      TOP,
      "webhooks/s",
      niceTicks(maxRate).map((v) => [yRate(v), String(v)]),
    ),
  );
  const barW = Math.min(40, slot / 4);
  steps.forEach((s, i) => {
    const bars: [number, string][] = [
      [s.target, COLORS.target],
      [s.accepted, COLORS.accepted],
      [s.delivered, COLORS.delivered],
    ];
    bars.forEach(([v, color], j) => {
      const bx = x(i) + (j - 1.5) * barW;
      out.push(
        `<rect class="bar" x="${bx.toFixed(1)}" y="${yRate(v).toFixed(1)}" width="${barW - 2}" height="${(TOP + PANEL - yRate(v)).toFixed(1)}" fill="${color}"/>`,
      );
    });
    out.push(
      `<text x="${x(i)}" y="${TOP + PANEL + 15}" text-anchor="middle">${esc(s.label)}</text>`,
    );
  });
  out.push(
    legend(LEFT + 10, TOP + 12, [
      ["asked", COLORS.target],
      ["202/s", COLORS.accepted],
      ["delivered/s", COLORS.delivered],
    ]),
  );
  // Latency panel, log scale.
  const top2 = TOP + PANEL + GAP;
  const all = steps
    .flatMap((s) => [s.deliveryLatency.p99, s.acceptLatency.p50])
    .filter((v) => v > 0);
  const lo = 10 ** Math.floor(Math.log10(Math.max(0.1, Math.min(1, ...all))));
  const hi = 10 ** Math.ceil(Math.log10(Math.max(10, ...all)));
  const yMs = (v: number) =>
    top2 + PANEL - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / Math.log10(hi / lo)) * PANEL;
  const decades: [number, string][] = [];
  for (let v = lo; v <= hi; v *= 10) decades.push([yMs(v), v >= 1 ? String(v) : v.toFixed(1)]);
  out.push(...axis(top2, "ms (log)", decades));
  for (const [key, color] of LINES) {
    out.push(
      polyline(
        steps.map((s, i) => [x(i), yMs(s.deliveryLatency[key])]),
        color,
        false,
      ),
    );
    out.push(
      polyline(
        steps.map((s, i) => [x(i), yMs(s.acceptLatency[key])]),
        color,
        true,
      ),
    );
  }
  steps.forEach((s, i) => {
    out.push(
      `<text x="${x(i)}" y="${top2 + PANEL + 15}" text-anchor="middle">${esc(s.label)}</text>`,
    );
  });
  out.push(
    legend(LEFT + 10, top2 + 12, [
      ...LINES.map(([k, c]): [string, string] => [`received→delivered ${k}`, c]),
      ["dashed: 202", "#64748b"],
    ]),
    `</svg>`,
  );
  return `${out.join("\n")}\n`;
}

function axis(top: number, label: string, ticks: readonly [number, string][]): string[] {
  return [
    `<line x1="${LEFT}" y1="${top}" x2="${LEFT}" y2="${top + PANEL}" stroke="#334155"/>`,
    `<line x1="${LEFT}" y1="${top + PANEL}" x2="${W - RIGHT}" y2="${top + PANEL}" stroke="#334155"/>`,
    `<text x="12" y="${top + PANEL / 2}" transform="rotate(-90 12 ${top + PANEL / 2})" text-anchor="middle">${esc(label)}</text>`,
    ...ticks.flatMap(([y, text]) => [
      `<line x1="${LEFT}" y1="${y.toFixed(1)}" x2="${W - RIGHT}" y2="${y.toFixed(1)}" stroke="#e2e8f0"/>`,
      `<text x="${LEFT - 6}" y="${(y + 4).toFixed(1)}" text-anchor="end">${esc(text)}</text>`,
    ]),
  ];
}

function polyline(points: readonly [number, number][], color: string, dashed: boolean): string {
  const d = points.map(([px, py]) => `${px.toFixed(1)},${py.toFixed(1)}`).join(" ");
  const dash = dashed ? ` stroke-dasharray="5 4"` : "";
  const dots = points
    .map(
      ([px, py]) => `<circle cx="${px.toFixed(1)}" cy="${py.toFixed(1)}" r="3" fill="${color}"/>`,
    )
    .join("");
  return `<polyline points="${d}" fill="none" stroke="${color}" stroke-width="2"${dash}/>${dots}`;
}

function legend(x: number, y: number, items: readonly [string, string][]): string {
  return items
    .map(
      ([text, color], i) =>
        `<rect x="${x + i * 150}" y="${y - 9}" width="10" height="10" fill="${color}"/><text x="${x + i * 150 + 14}" y="${y}">${esc(text)}</text>`,
    )
    .join("");
}

/** Round tick values from 0 to about `max`. */
export function niceTicks(max: number): number[] {
  const raw = max / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = ([1, 2, 5, 10].find((m) => m * mag >= raw) ?? 10) * mag;
  const ticks: number[] = [];
  for (let v = 0; v <= max + step / 2; v += step) ticks.push(Math.round(v));
  return ticks;
}
