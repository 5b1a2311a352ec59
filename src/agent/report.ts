import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_PSI_THRESHOLD } from '../models/index.js';
import { writeChartPng } from '../plot/index.js';
import type { AgentSummary } from './summary.js';

/** The demo report: a Markdown summary plus PNG charts of price and forecast, position, fee, drift, caps used. */
export function writeAgentReport(
  summary: AgentSummary,
  outDir: string,
  extra: { verify: string[]; audit: string; elapsedSeconds: number },
): string[] {
  mkdirSync(outDir, { recursive: true });
  const s = summary.series;
  const haltRanges: [number, number][] = [];
  s.halted.forEach((h, i) => {
    if (h) haltRanges.push([i, Math.min(i + 1, s.dates.length - 1)]);
  });
  const files: string[] = [];
  const chart = (name: string, spec: Parameters<typeof writeChartPng>[0]) => {
    const path = join(outDir, name);
    writeChartPng(spec, path);
    files.push(path);
  };
  chart('price.png', {
    title: 'WTI oracle price (median of 5 signed reports) and halts',
    dates: s.dates,
    yLabel: 'USD',
    lines: [{ label: 'WTI / USD', values: s.price, color: '#1f77b4' }],
    spans: [{ label: 'agent halted', ranges: haltRanges, color: '#d62728', opacity: 0.15 }],
  });
  chart('forecast.png', {
    title: 'Forecast of the next-day log return (fixed-point forecaster)',
    dates: s.dates,
    yLabel: 'log return',
    lines: [{ label: 'forecast', values: s.forecast, color: '#ff7f0e' }],
  });
  chart('position.png', {
    title: 'Synthetic position (sWTI debt) sized by volatility targeting',
    dates: s.dates,
    yLabel: 'sWTI',
    lines: [{ label: 'position', values: s.position, color: '#2ca02c' }],
    spans: [{ label: 'agent halted', ranges: haltRanges, color: '#d62728', opacity: 0.15 }],
  });
  chart('fee.png', {
    title: 'Pool fee set by the agent within the guard bounds [5, 100] bps, max step 10 bps/day',
    dates: s.dates,
    yLabel: 'bps',
    lines: [{ label: 'fee', values: s.fee, color: '#9467bd' }],
  });
  chart('drift.png', {
    title: 'Drift: each detector as a fraction of its alarm threshold (at 1 the agent halts)',
    dates: s.dates,
    yLabel: 'statistic / threshold',
    lines: [
      { label: 'forecast errors (Page–Hinkley / λ)', values: s.driftErrors, color: '#d62728' },
      { label: `inputs (PSI / ${DEFAULT_PSI_THRESHOLD})`, values: s.driftInputs, color: '#1f77b4' },
      { label: 'halt line', values: s.dates.map(() => 1), color: '#7f7f7f' },
    ],
    spans: [{ label: 'agent halted', ranges: haltRanges, color: '#d62728', opacity: 0.15 }],
  });
  chart('caps.png', {
    title: 'sWTI minted per day versus the daily cap (1,500)',
    dates: s.dates,
    yLabel: 'sWTI',
    yRange: [0, 1700],
    lines: [
      { label: 'minted', values: s.mintedPerEpoch, color: '#2ca02c' },
      { label: 'daily cap', values: s.dates.map(() => 1500), color: '#d62728' },
    ],
  });
  const refusals = Object.entries(summary.refusalsByRule).map(([rule, count]) => `| ${rule} | ${count} |`);
  const md = [
    '# Provenant demo report',
    '',
    `${summary.epochs} epochs, ${summary.firstDate ?? '—'} to ${summary.lastDate ?? '—'}, in ${extra.elapsedSeconds.toFixed(0)} s.`,
    '',
    '| what | value |',
    '|---|---|',
    ...summaryRows(summary).map(([k, v]) => `| ${k} | ${v} |`),
    '',
    '## Refusals by rule',
    '',
    '| rule | count |',
    '|---|---|',
    ...(refusals.length ? refusals : ['| (none) | 0 |']),
    '',
    ...summary.refusalExamples.map((e) => `- ${e}`),
    '',
    '## Halts',
    '',
    ...(summary.halts.length
      ? summary.halts.map((h) => `- ${h.date ?? `epoch ${h.epoch}`}: ${h.reason}`)
      : ['(none)']),
    '',
    '## Verification',
    '',
    ...extra.verify.map((line) => `- ${line}`),
    `- journal: ${extra.audit}`,
    '',
    '## Charts',
    '',
    ...files.map((f) => `![${f.split('/').at(-1)}](${f.split('/').at(-1)})`),
    '',
  ].join('\n');
  const mdPath = join(outDir, 'report.md');
  writeFileSync(mdPath, md);
  return [mdPath, ...files];
}

export function summaryRows(summary: AgentSummary): [string, string][] {
  const f = summary.forecast;
  return [
    ['epochs (trading days)', `${summary.epochs} (${summary.firstDate ?? '—'} … ${summary.lastDate ?? '—'})`],
    ['art minted / evolved', `${summary.artMinted} / ${summary.artEvolved}`],
    ['sWTI minted / burned', `${summary.synthMinted.toFixed(2)} / ${summary.synthBurned.toFixed(2)}`],
    ['pool fee changes', String(summary.feeChanges)],
    [
      'refusals',
      `${Object.values(summary.refusalsByRule).reduce((a, b) => a + b, 0)} (${
        Object.entries(summary.refusalsByRule)
          .map(([r, c]) => `${r}: ${c}`)
          .join(', ') || 'none'
      })`,
    ],
    ['halts', summary.halts.length ? summary.halts.map((h) => h.reason.split(':')[0]).join(', ') : 'none'],
    ['agent transactions / gas used', `${summary.transactions} / ${summary.gasUsed.toLocaleString('en-US')}`],
    [
      'forecast MSE vs random walk',
      Number.isFinite(f.ratio)
        ? `${f.mseModel.toExponential(3)} vs ${f.mseRandomWalk.toExponential(3)} (ratio ${f.ratio.toFixed(4)}, n=${f.n})`
        : 'n/a',
    ],
  ];
}
