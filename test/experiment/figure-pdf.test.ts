/**
 * PDF figures: the pure pieces against hand-computed values, then real figures written by
 * writeFigure and read back by poppler (pdfinfo, pdffonts, pdftotext, pdftoppm): one page of
 * the SVG's size, the labels as text in embedded DejaVu Sans, and a rendering that draws
 * what the PNG draws.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { TopLevelSpec } from 'vega-lite';
import { writeFigure } from '../../sim/experiment/figure-files.ts';
import { fontFace } from '../../sim/experiment/figure-fonts.ts';
import { parseFigureFormats } from '../../sim/figure-formats.ts';
import { pdfDashArray, pdfSafeSvg, sourceDate, svgSize, svgToPdf } from '../../sim/experiment/figure-pdf.ts';
import { renderSvg, timelineSpec } from '../../sim/experiment/plot.ts';
import { timelinesSpec, type TimelineRow } from '../../sim/report/specs.ts';
import { darkMask, unmatchedDark, type DarkMask } from '../helpers/dark-pixels.ts';
import { poppler } from '../helpers/poppler.ts';
import { timelineFixture } from '../helpers/timeline-fixture.ts';

const root = mkdtempSync(join(tmpdir(), 'figure-pdf-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('pdfDashArray: all-zero gaps are solid, other zeros a hair, the rest unchanged', () => {
  assert.equal(pdfDashArray('1,0'), 'none'); // the first series' "solid" dash
  assert.equal(pdfDashArray('0,0'), 'none');
  assert.equal(pdfDashArray('none'), 'none');
  assert.equal(pdfDashArray('7,3'), '7,3');
  assert.equal(pdfDashArray('8 3 2 3'), '8,3,2,3');
  assert.equal(pdfDashArray('3'), '3'); // odd: 3 on, 3 off
  assert.equal(pdfDashArray('0,4'), '0.01,4'); // a dot stays a dot
  assert.equal(pdfDashArray('2,0,3'), '2,0.01,3'); // repeated: 2 on, 0 off, 3 on, 2 off, ...
  assert.equal(
    pdfSafeSvg('<path stroke-dasharray="1,0"/><path stroke-dasharray="6,4"/>'),
    '<path stroke-dasharray="none"/><path stroke-dasharray="6,4"/>',
  );
});

test('svgSize reads the root width and height; fontFace picks the DejaVu face', () => {
  assert.deepEqual(svgSize('<svg xmlns="x" width="637" height="307.5px"><g width="1"/></svg>'), {
    width: 637,
    height: 307.5,
  });
  assert.throws(() => svgSize('<svg viewBox="0 0 1 1"></svg>'), /no width/);
  assert.deepEqual([fontFace(false), fontFace(true)], ['regular', 'bold']);
});

test('parseFigureFormats: known formats in order, no repeats, nothing unknown', () => {
  assert.deepEqual(parseFigureFormats('svg,png,pdf'), ['svg', 'png', 'pdf']);
  assert.deepEqual(parseFigureFormats(' PDF '), ['pdf']);
  assert.throws(() => parseFigureFormats('svg,jpg'), /svg, png, pdf; got 'jpg'/);
  assert.throws(() => parseFigureFormats(''), /got ''/);
  assert.throws(() => parseFigureFormats('png,png'), /twice/);
});

test('sourceDate: SOURCE_DATE_EPOCH in seconds when set, else now', () => {
  assert.equal(sourceDate({ SOURCE_DATE_EPOCH: '1700000000' }).toISOString(), '2023-11-14T22:13:20.000Z');
  assert.ok(sourceDate({ SOURCE_DATE_EPOCH: 'soon' }).getFullYear() >= 2026);
  assert.ok(sourceDate({}).getFullYear() >= 2026);
});

test('unmatchedDark: 0 for the same ink, shifted ink within the radius, 1 for none shared', () => {
  const mask = (rows: string[]): DarkMask => ({
    width: rows[0].length,
    height: rows.length,
    dark: Uint8Array.from(rows.join('').split(''), (c) => (c === '#' ? 1 : 0)),
  });
  const a = mask(['#....', '#....', '.....']);
  assert.equal(unmatchedDark(a, a), 0);
  assert.equal(unmatchedDark(a, mask(['.#...', '.#...', '.....'])), 0); // one pixel over
  assert.equal(unmatchedDark(a, mask(['..#..', '..#..', '.....'])), 1); // two over
  assert.equal(unmatchedDark(a, mask(['#....', '.....', '....#']), 0), 2 / 4); // 1 + 1 of 4
  assert.throws(() => unmatchedDark(a, mask(['#']), 1), /sizes differ/);
});

/** Reference-style report timeline: two panels, three series, 16 models, bands. */
function reportTimeline(): TopLevelSpec {
  const rows: TimelineRow[] = [];
  for (const panel of ['inject D0', 'inject D1'])
    for (let model = 0; model <= 15; model++) {
      rows.push({ panel, series: 'clean accuracy', model, mean: 0.97 - 0.002 * model, std: 0.01 });
      rows.push({ panel, series: 'badnets ASR', model, mean: 1 - model / 20, std: 0.05 });
      rows.push({ panel, series: 'blend ASR', model, mean: Math.max(0, 0.9 - model / 10), std: 0.1 });
    }
  return timelinesSpec(rows, 'ASR and clean accuracy per update (Fig. 2)', 0.5);
}

const FIGURES: { name: string; spec: () => TopLevelSpec; text: RegExp[] }[] = [
  {
    name: 'run-timeline',
    spec: () => timelineSpec(timelineFixture(true), 'BadNets run (2 seeds)'),
    text: [
      /BadNets run \(2 seeds\)/,
      /model update \(0 = F0\)/,
      /clean accuracy/,
      /static F0 ASR/,
      /γ = 0\.5/,
      /anomaly index/,
      /tabor/,
    ],
  },
  {
    name: 'report-timeline',
    spec: reportTimeline,
    text: [
      /per update \(Fig\. 2\)/,
      /inject D0/,
      /inject D1/,
      /badnets ASR/,
      /blend ASR/,
      /γ = 0\.5/,
      /100%/,
    ],
  },
];

for (const figure of FIGURES) {
  test(`${figure.name}: one PDF page of the SVG's size, text as text, drawn like the PNG`, async () => {
    const base = join(root, figure.name);
    const paths = await writeFigure(base, figure.spec(), ['svg', 'png', 'pdf']);
    assert.deepEqual(paths, [`${base}.svg`, `${base}.png`, `${base}.pdf`]);
    const pdf = `${base}.pdf`;
    assert.equal(readFileSync(pdf).subarray(0, 5).toString('latin1'), '%PDF-');

    const { width, height } = svgSize(readFileSync(`${base}.svg`, 'utf8'));
    const info = poppler('pdfinfo', [pdf]).toString();
    assert.match(info, /^Pages:\s+1$/m);
    const size = /^Page size:\s+([\d.]+) x ([\d.]+) pts/m.exec(info);
    assert.ok(size, info);
    assert.equal(Number(size[1]), width * 0.75); // 96 px to the inch, 72 pt
    assert.equal(Number(size[2]), height * 0.75);

    // Every font embedded (no fallback on the reader's machine): regular and bold DejaVu Sans.
    const fonts = poppler('pdffonts', [pdf]).toString().split('\n').slice(2).filter(Boolean);
    assert.ok(fonts.some((f) => /\+DejaVuSans\s/.test(f)) && fonts.some((f) => /DejaVuSans-Bold/.test(f)));
    for (const f of fonts) assert.match(f, /\byes\s+yes\s+yes\b/, `embedded, subset, unicode: ${f}`);

    const text = poppler('pdftotext', ['-layout', pdf, '-']).toString();
    for (const t of figure.text) assert.match(text, t);

    // Rendered at 192 dpi the page has the PNG's pixels (the PNG is the SVG at twice its size).
    poppler('pdftoppm', ['-r', '192', '-png', '-singlefile', pdf, `${base}-pdf`]);
    const rendered = darkMask(readFileSync(`${base}-pdf.png`));
    const png = darkMask(readFileSync(`${base}.png`));
    assert.deepEqual([rendered.width, rendered.height], [2 * width, 2 * height]);
    const ink = png.dark.reduce((s, v) => s + v, 0);
    assert.ok(ink > 0.01 * png.dark.length, `${ink} dark pixels: the PNG is not blank`);
    // resvg and poppler anti-alias differently: 1 px of slack. Measured on these two figures:
    // 0.000 % as written; 31-32 % with the text left out, 3.7-4.5 % with the dashed series
    // drawn solid, 2.6-3.4 % without the legend's labels (docs/figures.md).
    const unmatched = unmatchedDark(rendered, png, 1);
    assert.ok(unmatched < 0.01, `${(100 * unmatched).toFixed(2)} % of the dark pixels unmatched`);
  });
}

test('the same SVG and date give the same PDF bytes', async () => {
  const svg = await renderSvg(timelineSpec(timelineFixture(false), 'same'));
  const date = new Date('2026-01-01T00:00:00Z');
  const [a, b] = [await svgToPdf(svg, { creationDate: date }), await svgToPdf(svg, { creationDate: date })];
  assert.ok(a.equals(b));
});
