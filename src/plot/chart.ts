import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { Resvg } from '@resvg/resvg-js';

/** A time-series chart: lines, shaded bands, point markers and shaded x-spans over one date axis. */
export type ChartSpec = {
  title: string;
  /** One date (YYYY-MM-DD) per x index. */
  dates: string[];
  width?: number;
  height?: number;
  yLabel?: string;
  /** Fixed y range; default: the data range padded by 5%. */
  yRange?: [number, number];
  lines?: { label: string; values: (number | undefined)[]; color: string; width?: number }[];
  bands?: { label: string; lower: number[]; upper: number[]; color: string; opacity?: number }[];
  markers?: { label: string; points: { index: number; value: number }[]; color: string; radius?: number }[];
  /** Shaded x ranges [from, to] (inclusive indices), e.g. drift alarms. */
  spans?: { label: string; ranges: [number, number][]; color: string; opacity?: number }[];
};

const FONT_FILE = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
const MARGIN = { left: 70, right: 20, top: 40, bottom: 60 };

const f2 = (v: number) => (Math.round(v * 100) / 100).toFixed(2);
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceTicks(lo: number, hi: number, count: number): number[] {
  const span = hi - lo || 1;
  const raw = span / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    ticks.push(Number(t.toPrecision(12)));
  return ticks;
}

/**
 * Renders the chart as SVG text. Deterministic: same spec, same bytes (coordinates rounded to
 * 0.01 px; long series are decimated to a min/max pair per pixel column).
 */
export function renderSvg(spec: ChartSpec): string {
  const W = spec.width ?? 1000;
  const H = spec.height ?? 400;
  const pw = W - MARGIN.left - MARGIN.right;
  const ph = H - MARGIN.top - MARGIN.bottom;
  const n = Math.max(1, spec.dates.length);
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  const see = (v: number | undefined) => {
    if (v !== undefined && Number.isFinite(v)) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  };
  if (spec.yRange) [lo, hi] = spec.yRange;
  else {
    for (const l of spec.lines ?? []) l.values.forEach(see);
    for (const b of spec.bands ?? []) {
      b.lower.forEach(see);
      b.upper.forEach(see);
    }
    for (const m of spec.markers ?? []) for (const p of m.points) see(p.value);
    if (!Number.isFinite(lo)) [lo, hi] = [0, 1];
    const pad = (hi - lo || Math.abs(hi) || 1) * 0.05;
    lo -= pad;
    hi += pad;
  }
  const x = (i: number) => MARGIN.left + (n === 1 ? pw / 2 : (i / (n - 1)) * pw);
  const y = (v: number) => MARGIN.top + ph - ((Math.min(hi, Math.max(lo, v)) - lo) / (hi - lo)) * ph;
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="DejaVu Sans" font-size="12">`,
  );
  out.push(`<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15">${esc(spec.title)}</text>`);
  // spans
  for (const s of spec.spans ?? []) {
    for (const [a, b] of s.ranges) {
      out.push(
        `<rect x="${f2(x(a))}" y="${MARGIN.top}" width="${f2(Math.max(1, x(b) - x(a)))}" height="${ph}" fill="${s.color}" fill-opacity="${s.opacity ?? 0.3}"/>`,
      );
    }
  }
  // grid + y ticks
  for (const t of niceTicks(lo, hi, 5)) {
    if (t < lo || t > hi) continue;
    out.push(
      `<line x1="${MARGIN.left}" x2="${W - MARGIN.right}" y1="${f2(y(t))}" y2="${f2(y(t))}" stroke="#e0e0e0"/>`,
    );
    out.push(`<text x="${MARGIN.left - 6}" y="${f2(y(t) + 4)}" text-anchor="end">${esc(String(t))}</text>`);
  }
  // x ticks at year starts; for spans of under four years, at month starts (labelled YYYY-MM).
  const period = (d: string) => d.slice(0, 4);
  const years = new Set(spec.dates.map(period)).size;
  const key = years < 4 ? (d: string) => d.slice(0, 7) : period;
  const starts = new Map<string, number>();
  spec.dates.forEach((d, i) => {
    const k = key(d);
    if (!starts.has(k)) starts.set(k, i);
  });
  const tickList = [...starts.entries()];
  const every = Math.max(1, Math.ceil(tickList.length / 10));
  tickList.forEach(([label, i], k) => {
    if (k % every !== 0) return;
    out.push(
      `<line x1="${f2(x(i))}" x2="${f2(x(i))}" y1="${MARGIN.top + ph}" y2="${MARGIN.top + ph + 5}" stroke="#333"/>`,
    );
    out.push(`<text x="${f2(x(i))}" y="${MARGIN.top + ph + 18}" text-anchor="middle">${label}</text>`);
  });
  out.push(
    `<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${pw}" height="${ph}" fill="none" stroke="#333"/>`,
  );
  if (spec.yLabel)
    out.push(
      `<text transform="translate(16 ${MARGIN.top + ph / 2}) rotate(-90)" text-anchor="middle">${esc(spec.yLabel)}</text>`,
    );
  const cols = Math.max(1, Math.floor(pw));
  const bucket = (i: number) => Math.min(cols - 1, Math.floor((i / n) * cols));
  // bands: per pixel column, the widest envelope
  for (const b of spec.bands ?? []) {
    const up = new Map<number, [number, number]>();
    const dn = new Map<number, [number, number]>();
    for (let i = 0; i < b.upper.length; i++) {
      const u = b.upper[i]!;
      const l = b.lower[i]!;
      if (!Number.isFinite(u) || !Number.isFinite(l)) continue;
      const c = n > cols * 2 ? bucket(i) : i;
      const pu = up.get(c);
      if (!pu || u > pu[1]) up.set(c, [i, u]);
      const pl = dn.get(c);
      if (!pl || l < pl[1]) dn.set(c, [i, l]);
    }
    const top = [...up.values()].map(([i, v]) => `${f2(x(i))},${f2(y(v))}`);
    const bottom = [...dn.values()].reverse().map(([i, v]) => `${f2(x(i))},${f2(y(v))}`);
    if (top.length)
      out.push(
        `<polygon points="${[...top, ...bottom].join(' ')}" fill="${b.color}" fill-opacity="${b.opacity ?? 0.25}" stroke="none"/>`,
      );
  }
  // lines: decimated to min/max per column when long
  for (const l of spec.lines ?? []) {
    const segs: string[][] = [[]];
    if (l.values.length > cols * 2) {
      let c = -1;
      let mn: [number, number] | undefined;
      let mx: [number, number] | undefined;
      const flush = () => {
        if (mn && mx) {
          const pair = mn[0] <= mx[0] ? [mn, mx] : [mx, mn];
          for (const [i, v] of pair) segs[segs.length - 1]!.push(`${f2(x(i))},${f2(y(v))}`);
        }
        mn = undefined;
        mx = undefined;
      };
      l.values.forEach((v, i) => {
        const b = bucket(i);
        if (b !== c) {
          flush();
          c = b;
        }
        if (v === undefined || !Number.isFinite(v)) return;
        if (!mn || v < mn[1]) mn = [i, v];
        if (!mx || v > mx[1]) mx = [i, v];
      });
      flush();
    } else {
      l.values.forEach((v, i) => {
        if (v === undefined || !Number.isFinite(v)) {
          if (segs[segs.length - 1]!.length) segs.push([]);
        } else segs[segs.length - 1]!.push(`${f2(x(i))},${f2(y(v))}`);
      });
    }
    for (const s of segs)
      if (s.length)
        out.push(
          `<polyline points="${s.join(' ')}" fill="none" stroke="${l.color}" stroke-width="${l.width ?? 1}"/>`,
        );
  }
  for (const m of spec.markers ?? []) {
    for (const p of m.points)
      out.push(
        `<circle cx="${f2(x(p.index))}" cy="${f2(y(p.value))}" r="${m.radius ?? 2.5}" fill="${m.color}"/>`,
      );
  }
  // legend
  const legend = [
    ...(spec.lines ?? []).map((l) => ({ label: l.label, color: l.color })),
    ...(spec.bands ?? []).map((b) => ({ label: b.label, color: b.color })),
    ...(spec.markers ?? []).map((m) => ({ label: m.label, color: m.color })),
    ...(spec.spans ?? []).map((s) => ({ label: s.label, color: s.color })),
  ];
  let lx = MARGIN.left;
  for (const item of legend) {
    out.push(`<rect x="${lx}" y="${H - 22}" width="12" height="12" fill="${item.color}"/>`);
    out.push(`<text x="${lx + 16}" y="${H - 12}">${esc(item.label)}</text>`);
    lx += 28 + item.label.length * 7;
  }
  out.push('</svg>');
  return out.join('\n');
}

/** Renders the chart to PNG bytes with resvg and the bundled DejaVu Sans (system fonts not loaded: deterministic). */
export function renderPng(spec: ChartSpec): Uint8Array {
  return svgToPng(renderSvg(spec));
}

export function svgToPng(svg: string): Uint8Array {
  const fontFiles = existsSync(FONT_FILE) ? [FONT_FILE] : [];
  const r = new Resvg(svg, {
    font: { loadSystemFonts: false, fontFiles, defaultFontFamily: 'DejaVu Sans' },
    background: 'white',
  });
  return new Uint8Array(r.render().asPng());
}

/** Renders and writes a PNG, creating the folder. */
export function writeChartPng(spec: ChartSpec, path: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderPng(spec));
}
