import { PNG } from 'pngjs';
import { describe, expect, test } from 'vitest';
import { type ChartSpec, renderPng, renderSvg } from './chart.js';

const dates = Array.from({ length: 3000 }, (_, i) =>
  new Date(Date.UTC(2000, 0, 1 + i)).toISOString().slice(0, 10),
);
const spec: ChartSpec = {
  title: 'test <chart>',
  dates,
  lines: [{ label: 'sin', values: dates.map((_, i) => Math.sin(i / 100)), color: '#1f77b4' }],
  bands: [
    {
      label: 'band',
      lower: dates.map(() => -0.5),
      upper: dates.map((_, i) => 0.5 + i / 6000),
      color: '#ff7f0e',
    },
  ],
  markers: [{ label: 'hits', points: [{ index: 10, value: 0.9 }], color: '#d62728' }],
  spans: [{ label: 'alarm', ranges: [[100, 200]], color: '#999999' }],
};

describe('renderPng', () => {
  test('deterministic bytes and a valid PNG of the requested size', () => {
    const a = renderPng(spec);
    const b = renderPng(spec);
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const png = PNG.sync.read(Buffer.from(a));
    expect([png.width, png.height]).toEqual([1000, 400]);
    // Not blank: some pixels are the line colour region (non-white).
    let dark = 0;
    for (let i = 0; i < png.data.length; i += 4) if (png.data[i]! < 200) dark++;
    expect(dark).toBeGreaterThan(1000);
  });

  test('svg escapes text and decimates long series', () => {
    const svg = renderSvg(spec);
    expect(svg).toContain('test &lt;chart&gt;');
    const pts = /<polyline points="([^"]+)"/.exec(svg)![1]!.split(' ').length;
    expect(pts).toBeLessThan(2 * 1000);
  });
});
