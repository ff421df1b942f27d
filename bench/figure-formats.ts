/**
 * What each figure format costs: milliseconds and bytes to turn a figure's SVG into SVG
 * (nothing), PNG (resvg at zoom 2) and PDF (pdfkit + svg-to-pdfkit with embedded DejaVu
 * Sans), over the committed quick report's figures (docs/results/paper-mnist-quick/figures).
 *   npm run bench:figures [-- <runs per figure, default 5>]
 * Prints the median per figure and format and writes bench/results/figure-formats-<date>.json.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { svgToPng } from '../sim/experiment/figure-files.ts';
import { svgToPdf } from '../sim/experiment/figure-pdf.ts';
import { writeAtomic } from '../sim/experiment/run-folder.ts';

const runs = Number(process.argv[2] ?? 5);
const dir = join('docs', 'results', 'paper-mnist-quick', 'figures');
const figures = readdirSync(dir).filter((f) => f.endsWith('.svg'));
const encoders: Record<string, (svg: string) => Promise<Uint8Array | string>> = {
  png: async (svg) => svgToPng(svg),
  pdf: (svg) => svgToPdf(svg, { creationDate: new Date(0) }),
};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const loadBefore = loadavg()[0];
const rows: { figure: string; format: string; medianMs: number; bytes: number }[] = [];
for (const figure of figures) {
  const svg = readFileSync(join(dir, figure), 'utf8');
  rows.push({ figure, format: 'svg', medianMs: 0, bytes: Buffer.byteLength(svg) });
  for (const [format, encode] of Object.entries(encoders)) {
    await encode(svg); // warm-up: font parsing, module load
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      bytes = (await encode(svg)).length;
      times.push(performance.now() - started);
    }
    rows.push({ figure, format, medianMs: median(times), bytes });
  }
  const mine = rows.filter((r) => r.figure === figure);
  console.log(
    `${figure.padEnd(30)} ${mine.map((r) => `${r.format} ${r.medianMs.toFixed(0)} ms ${(r.bytes / 1024).toFixed(0)} KiB`).join('  ')}`,
  );
}
for (const format of ['svg', 'png', 'pdf']) {
  const mine = rows.filter((r) => r.format === format);
  console.log(
    `${format}: median ${median(mine.map((r) => r.medianMs)).toFixed(0)} ms, ${(median(mine.map((r) => r.bytes)) / 1024).toFixed(0)} KiB per figure`,
  );
}
const loadAfter = loadavg()[0];
console.log(
  `load average ${loadBefore.toFixed(1)} -> ${loadAfter.toFixed(1)} on ${availableParallelism()} cores`,
);
const date = new Date().toISOString().replace(/[:.]/g, '-');
const path = join('bench', 'results', `figure-formats-${date}.json`);
await writeAtomic(
  path,
  JSON.stringify(
    { date, cpus: availableParallelism(), node: process.version, runs, loadBefore, loadAfter, rows },
    null,
    2,
  ),
);
console.log(`wrote ${path}`);
