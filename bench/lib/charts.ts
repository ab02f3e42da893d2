/**
 * Charts as SVG (vega-lite compiled to vega, rendered headless in Node) and PNG
 * (resvg with the project's own IBM Plex Sans, so no system fonts are needed).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

// The renderer's own IBM Plex Sans (assets/fonts), so charts need no font package.
const FONT = fileURLToPath(new URL('../../assets/fonts/ibm-plex-sans/IBMPlexSans_500Medium.ttf', import.meta.url));

async function render(spec: TopLevelSpec, basePath: string): Promise<void> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  writeFileSync(`${basePath}.svg`, svg);
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: false, fontFiles: [FONT], defaultFontFamily: 'IBM Plex Sans' },
  })
    .render()
    .asPng();
  writeFileSync(`${basePath}.png`, png);
}

const base = { width: 560, height: 320, background: 'white', config: { font: 'IBM Plex Sans' } } as const;

/** Fan-out delivery latency CDF, one line per server; log-scale x. */
export function latencyCdfChart(
  series: Array<{ target: string; cdf: Array<{ ms: number; fraction: number }> }>,
  basePath: string,
  title: string,
) {
  const values = series.flatMap((s) => s.cdf.map((p) => ({ server: s.target, ms: Math.max(0.05, p.ms), fraction: p.fraction })));
  return render(
    {
      ...base,
      title,
      data: { values },
      mark: { type: 'line', interpolate: 'step-after' },
      encoding: {
        x: { field: 'ms', type: 'quantitative', scale: { type: 'log' }, title: 'delivery latency (ms, log scale)' },
        y: { field: 'fraction', type: 'quantitative', title: 'fraction of deliveries', axis: { format: '%' } },
        color: { field: 'server', type: 'nominal' },
      },
    },
    basePath,
  );
}

/** Hot room: maximum sustained deliveries/s against the number of readers. */
export function throughputChart(
  points: Array<{ target: string; readers: number; deliveriesPerSecond: number }>,
  basePath: string,
  title: string,
) {
  return render(
    {
      ...base,
      title,
      data: { values: points.map((p) => ({ server: p.target, readers: p.readers, deliveries: p.deliveriesPerSecond })) },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'readers', type: 'quantitative', title: 'readers in the room' },
        y: { field: 'deliveries', type: 'quantitative', title: 'max sustained deliveries/s (p99 ≤ 50 ms)' },
        color: { field: 'server', type: 'nominal' },
      },
    },
    basePath,
  );
}

/** Soak: server memory over time, one line per measure. */
export function memoryChart(samples: Array<{ minutes: number; measure: string; mib: number }>, basePath: string, title: string) {
  return render(
    {
      ...base,
      title,
      data: { values: samples },
      mark: { type: 'line' },
      encoding: {
        x: { field: 'minutes', type: 'quantitative', title: 'minutes into the soak' },
        y: { field: 'mib', type: 'quantitative', title: 'MiB', scale: { zero: true } },
        color: { field: 'measure', type: 'nominal' },
      },
    },
    basePath,
  );
}

/** Capacity projection: units of each resource needed against active rooms, log-log. */
export function projectionChart(points: Array<{ rooms: number; resource: string; units: number }>, basePath: string, title: string) {
  return render(
    {
      ...base,
      title,
      data: { values: points },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'rooms', type: 'quantitative', scale: { type: 'log' }, title: 'active rooms (log scale)' },
        y: { field: 'units', type: 'quantitative', scale: { type: 'log' }, title: 'units needed (log scale)' },
        color: { field: 'resource', type: 'nominal', title: null },
      },
    },
    basePath,
  );
}
