import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PNG } from 'pngjs';
import { svgToPng } from '../../sim/experiment/figure-files.ts';
import { svgSize } from '../../sim/experiment/figure-pdf.ts';
import { renderSvg, timelineSpec } from '../../sim/experiment/plot.ts';
import { wrapLines } from '../../sim/experiment/figure-style.ts';
import { isBold, itemTextWidth, textWidth, wrapToWidth } from '../../sim/experiment/text-metrics.ts';
import { FIGURES, type FigureData } from '../../sim/report/figures.ts';
import { contentWidth, metricSpec, timelinesSpec } from '../../sim/report/specs.ts';
import { timelineFixture } from '../helpers/timeline-fixture.ts';

// DejaVu Sans has 2048 units per em; the digit "0" advances 1303 (regular) and 1425 (bold).
test('textWidth is the advance width in DejaVu Sans, scaled to the font size', () => {
  assert.ok(Math.abs((textWidth('00', 10) ?? 0) - (2 * 1303 * 10) / 2048) < 1e-9);
  assert.ok(Math.abs((textWidth('0', 13, true) ?? 0) - (1425 * 13) / 2048) < 1e-9);
  // Kerned: "AV" is narrower than an "A" and a "V" apart.
  assert.ok((textWidth('AV', 10) ?? 0) < (textWidth('A', 10) ?? 0) + (textWidth('V', 10) ?? 0));
});

test('a text item is measured in its weight, at 11 px by default, and capped at its limit', () => {
  assert.equal(itemTextWidth({}, '00'), textWidth('00', 11));
  assert.equal(itemTextWidth({ fontSize: 13, fontWeight: 'bold' }, ' 0 '), textWidth('0', 13, true));
  assert.equal(itemTextWidth({ fontSize: 10, limit: 20 }, '0000000000'), 20);
  assert.equal(itemTextWidth({ fontSize: 10 }, ''), 0);
  assert.equal(itemTextWidth({ fontSize: 0 }, 'x'), 0);
  assert.deepEqual(
    [isBold('bold'), isBold(700), isBold('600'), isBold('normal'), isBold(400)],
    [true, true, true, false, false],
  );
});

test('wrapLines measures lines with the given width function', () => {
  // Each "w" counts 3: "w w" is 7 wide.
  const measure = (t: string): number => [...t].reduce((n, c) => n + (c === 'w' ? 3 : 1), 0);
  assert.deepEqual(wrapLines('w w a a', 7, measure), ['w w', 'a a']);
  assert.deepEqual(wrapLines('w w a a', 6, measure), ['w', 'w a', 'a']);
});

test('wrapToWidth breaks a title where DejaVu Sans bold reaches the width', () => {
  // "00 00" is 5 glyphs: 4 digits and a space (bold, 10 px: 6.958 px a digit, 3.477 px the space).
  const digits = (n: number): number => (n * 1425 * 10) / 2048;
  assert.deepEqual(wrapToWidth('00 00 00', digits(4) + 4, 10, true), ['00 00', '00']);
  assert.deepEqual(wrapToWidth('00 00 00', digits(4) + 3, 10, true), ['00', '00', '00']);
});

test('contentWidth: the panels and y axis, or a wider two-column legend', () => {
  assert.equal(contentWidth(1, 220, ['a']), 280);
  assert.equal(contentWidth(3, 220, ['a']), 3 * 220 + 2 * 20 + 60);
  const label = (n: number): number => (n * 1303 * 10) / 2048;
  assert.ok(Math.abs(contentWidth(1, 100, ['0'.repeat(20), '0']) - 2 * (label(20) + 40)) < 1e-9);
});

/** The blank margins (px) right of and below the drawn content of a figure's PNG at zoom 1. */
function blankMargins(svg: string): { right: number; bottom: number; width: number } {
  const png = PNG.sync.read(svgToPng(svg, 1));
  let right = 0;
  let bottom = 0;
  for (let y = 0; y < png.height; y++)
    for (let x = 0; x < png.width; x++) {
      const i = (y * png.width + x) * 4;
      const ink = png.data[i] < 235 || png.data[i + 1] < 235 || png.data[i + 2] < 235;
      if (ink) [right, bottom] = [Math.max(right, x + 1), Math.max(bottom, y + 1)];
    }
  assert.equal(png.width, svgSize(svg).width);
  return { right: png.width - right, bottom: png.height - bottom, width: png.width };
}

const def = FIGURES.find((f) => f.key === 'learning-rate-accuracy') as (typeof FIGURES)[number];
const lines = ['badnets size=3', 'blend alpha=0.2', 'wanet strength=0.5'];
const points = (panels: readonly string[]): FigureData['points'] =>
  panels.flatMap((panel) =>
    lines.flatMap((line, l) =>
      [0.001, 0.01, 0.1, 0.5].map((x, i) => ({
        panel,
        line,
        x,
        mean: 0.9 - 0.1 * i - 0.02 * l,
        std: 0.01,
        seeds: 3,
      })),
    ),
  );

test('a one-panel metric figure is as wide and as tall as what it draws', async () => {
  const fig: FigureData = { def, points: points(['inject D0']), yMax: 1 };
  // A short title: the panel and its legend set the width, not the title.
  const margins = blankMargins(await renderSvg(metricSpec(fig, 'Accuracy vs lr')));
  assert.ok(margins.right < 40, `blank right margin ${margins.right} px`);
  assert.ok(margins.bottom < 40, `blank bottom margin ${margins.bottom} px`);
  // The report's long title: the title sets the width, drawn to within the padding.
  // The report's long title is wrapped to the panel and legend, not the figure widened to it.
  const title = `${def.title} (${def.paper})`;
  const spec = metricSpec(fig, title) as unknown as { title: { text: string[] } };
  assert.ok(spec.title.text.length > 1);
  assert.equal(spec.title.text.join(' '), title);
  const titled = blankMargins(await renderSvg(spec as never));
  assert.ok(titled.right < 40, `blank right margin ${titled.right} px`);
  assert.ok(titled.width < 350, `${titled.width} px wide`);
});

test('multi-panel figures and the run plot end where their content ends', async () => {
  const fig: FigureData = { def, points: points(['inject D0', 'inject D1', 'persistent 3']), yMax: 1 };
  const rows = ['inject D0', 'inject D1'].flatMap((panel) =>
    ['ASR', 'clean accuracy'].flatMap((series) =>
      [0, 1, 2, 3].map((model) => ({ panel, series, model, mean: 0.5, std: 0.05 })),
    ),
  );
  for (const svg of [
    await renderSvg(metricSpec(fig, `${def.title} (${def.paper})`)),
    await renderSvg(timelinesSpec(rows, 'ASR and clean accuracy per update (Fig. 2)', 0.5)),
    await renderSvg(timelineSpec(timelineFixture(true), 'mnist small-cnn: badnets, inject d0 (2 seeds)')),
  ]) {
    const margins = blankMargins(svg);
    assert.ok(margins.right < 40, `blank right margin ${margins.right} of ${margins.width} px`);
    assert.ok(margins.bottom < 40, `blank bottom margin ${margins.bottom} px`);
  }
});
