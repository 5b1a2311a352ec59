export { type ChartSpec, renderPng, renderSvg, svgToPng, writeChartPng } from './chart.js';
