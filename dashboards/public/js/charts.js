/**
 * The dashboard's Chart.js charts (Chart is the UMD global from /vendor/chart.umd.js).
 * Every chart has titled axes with units; series differ by colour, dash and point shape.
 */
import { OKABE_ITO, seriesStyle } from './palette.js';
import {
  ANOMALY_THRESHOLD,
  SURVIVAL_GAMMA,
  accuracySeries,
  anomalySeries,
  asrSeries,
  chartMarkers,
  defenseLabel,
  replaySeries,
  survivabilityBars,
  timelineSeries,
} from './store.js';

const INK = '#1b2430';
const MUTED = '#5b6675';
const GRID = '#e6e9ef';

/** Draws a labelled horizontal line at options.plugins.thresholdLine.value. */
const thresholdLine = {
  id: 'thresholdLine',
  afterDatasetsDraw(chart, _args, opts) {
    if (!opts || !Number.isFinite(opts.value)) return;
    const { ctx, chartArea } = chart;
    const y = chart.scales.y.getPixelForValue(opts.value);
    if (y < chartArea.top || y > chartArea.bottom) return;
    ctx.save();
    ctx.strokeStyle = opts.colour;
    ctx.lineWidth = 1.5;
    ctx.setLineDash([6, 4]);
    ctx.beginPath();
    ctx.moveTo(chartArea.left, y);
    ctx.lineTo(chartArea.right, y);
    ctx.stroke();
    ctx.setLineDash([]);
    // The label sits on a white box so that lines crossing it do not hide it.
    ctx.font = '600 11px system-ui, sans-serif';
    ctx.textAlign = 'right';
    ctx.textBaseline = 'bottom';
    const width = ctx.measureText(opts.label).width;
    ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
    ctx.fillRect(chartArea.right - width - 8, y - 17, width + 6, 14);
    ctx.fillStyle = opts.colour;
    ctx.fillText(opts.label, chartArea.right - 4, y - 3);
    ctx.restore();
  },
};

/** How each marker kind is drawn: the glyph above its line and its colour (index.html's key). */
export const MARKER_STYLE = {
  schedule: { glyph: 'S', colour: OKABE_ITO.blue },
  policy: { glyph: 'P', colour: OKABE_ITO.reddishPurple },
  rolledback: { glyph: 'R', colour: OKABE_ITO.vermillion },
  'alert-firing': { glyph: '!', colour: OKABE_ITO.orange },
};

/**
 * Draws options.plugins.eventMarkers.markers ({ x, kind, label }) as dashed vertical lines
 * with a glyph at the top; markers at one x share the line and stack their glyphs.
 */
const eventMarkers = {
  id: 'eventMarkers',
  afterDatasetsDraw(chart, _args, opts) {
    const markers = opts?.markers ?? [];
    if (!markers.length) return;
    const { ctx, chartArea } = chart;
    const stacked = new Map();
    ctx.save();
    ctx.font = '700 10px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const m of markers) {
      const style = MARKER_STYLE[m.kind];
      const x = chart.scales.x.getPixelForValue(m.x);
      if (!style || x < chartArea.left - 1 || x > chartArea.right + 1) continue;
      const row = stacked.get(m.x) ?? 0;
      stacked.set(m.x, row + 1);
      ctx.strokeStyle = style.colour;
      ctx.lineWidth = 1.25;
      ctx.setLineDash([3, 3]);
      ctx.beginPath();
      ctx.moveTo(x, chartArea.top);
      ctx.lineTo(x, chartArea.bottom);
      ctx.stroke();
      ctx.setLineDash([]);
      const y = chartArea.top + 2 + row * 13;
      ctx.fillStyle = 'rgba(255, 255, 255, 0.9)';
      ctx.fillRect(x - 6, y - 1, 12, 12);
      ctx.fillStyle = style.colour;
      ctx.fillText(style.glyph, x, y);
    }
    ctx.restore();
  },
};

/** Writes options.plugins.emptyMessage.text in the middle of a chart without data. */
const emptyMessage = {
  id: 'emptyMessage',
  afterDraw(chart, _args, opts) {
    if (!opts?.text || chart.data.datasets.some((d) => d.data.length > 0 && !d.isReference)) return;
    const { ctx, chartArea } = chart;
    ctx.save();
    ctx.fillStyle = MUTED;
    ctx.font = '13px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    // Below the middle, clear of the threshold lines drawn at 50% and near a third.
    ctx.fillText(
      opts.text,
      (chartArea.left + chartArea.right) / 2,
      chartArea.top + 0.75 * (chartArea.bottom - chartArea.top),
    );
    ctx.restore();
  },
};

/** Writes each bar's value above it (a zero bar is otherwise invisible). */
const barValues = {
  id: 'barValues',
  afterDatasetsDraw(chart, _args, opts) {
    if (!opts?.unit) return;
    const { ctx } = chart;
    ctx.save();
    ctx.fillStyle = INK;
    ctx.font = '600 12px system-ui, sans-serif';
    ctx.textAlign = 'center';
    ctx.textBaseline = 'bottom';
    chart.data.datasets.forEach((dataset, i) => {
      chart
        .getDatasetMeta(i)
        .data.forEach((bar, j) => ctx.fillText(`${dataset.data[j]} ${opts.unit}`, bar.x, bar.y - 3));
    });
    ctx.restore();
  },
};

const clock = (ms) =>
  new Date(ms).toLocaleTimeString([], {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  });

function axis(title, extra = {}) {
  return {
    title: { display: true, text: title, color: INK, font: { weight: '600' } },
    grid: { color: GRID },
    ticks: { color: MUTED },
    ...extra,
  };
}

const versionAxis = () =>
  axis('Model version (registry v#)', {
    type: 'linear',
    ticks: {
      color: MUTED,
      precision: 0,
      maxRotation: 0,
      autoSkipPadding: 10,
      // Only whole versions are ticks, not the half-version margins of the range.
      includeBounds: false,
      callback: (v) => (Number.isInteger(v) ? `v${v}` : ''),
    },
  });

function options({ x, y, threshold, empty, tooltipLabel, legend = true, barUnit }) {
  return {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    parsing: true,
    interaction: { mode: 'nearest', intersect: false },
    scales: { x, y },
    plugins: {
      legend: {
        display: legend,
        position: 'top',
        align: 'end',
        labels: {
          usePointStyle: true,
          boxWidth: 24,
          boxHeight: 8,
          padding: 8,
          color: INK,
          font: { size: 11 },
        },
      },
      tooltip: { callbacks: { label: tooltipLabel } },
      thresholdLine: threshold,
      emptyMessage: { text: empty },
      barValues: { unit: barUnit },
    },
    layout: { padding: { top: barUnit ? 16 : 0 } },
  };
}

function lineDataset(label, points, style, extra = {}) {
  return {
    label,
    data: points,
    borderColor: style.colour,
    backgroundColor: style.colour,
    borderDash: style.dash,
    pointStyle: style.pointStyle,
    pointRadius: 3.5,
    pointHoverRadius: 6,
    borderWidth: 2,
    tension: 0,
    // Points on the first and last version are drawn whole, not cut by the plot area.
    clip: 8,
    ...extra,
  };
}

const versionTooltip = (unit, digits) => (ctx) => {
  const p = ctx.raw;
  const step = Number.isFinite(p.step) ? `, drift step ${p.step}` : '';
  return `${ctx.dataset.label}: ${p.y.toFixed(digits)}${unit} (v${p.x}${step})`;
};

export function createCharts(canvases) {
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  Chart.defaults.font.size = 12;
  Chart.defaults.color = INK;
  const plugins = [thresholdLine, emptyMessage, barValues, eventMarkers];

  const accuracy = new Chart(canvases.accuracy, {
    type: 'line',
    data: { datasets: [] },
    plugins,
    options: options({
      x: versionAxis(),
      y: axis('Accuracy (%)', { min: 0, max: 100 }),
      empty: 'Waiting for the first evaluated model…',
      tooltipLabel: versionTooltip('%', 1),
    }),
  });

  const asr = new Chart(canvases.asr, {
    type: 'line',
    data: { datasets: [] },
    plugins,
    options: options({
      x: versionAxis(),
      y: axis('ASR (%)', { min: 0, max: 100 }),
      threshold: {
        value: SURVIVAL_GAMMA * 100,
        label: `γ = ${SURVIVAL_GAMMA * 100}% (backdoor survives above)`,
        colour: OKABE_ITO.vermillion,
      },
      empty: 'No poison campaign yet',
      tooltipLabel: versionTooltip('%', 1),
    }),
  });

  const anomaly = new Chart(canvases.anomaly, {
    type: 'line',
    data: { datasets: [] },
    plugins,
    options: options({
      x: versionAxis(),
      y: axis('Anomaly index', { min: 0, suggestedMax: 3 }),
      threshold: {
        value: ANOMALY_THRESHOLD,
        label: `threshold ${ANOMALY_THRESHOLD}: flagged above`,
        colour: OKABE_ITO.vermillion,
      },
      empty: 'No scan yet',
      tooltipLabel: versionTooltip('', 2),
    }),
  });

  const survivability = new Chart(canvases.survivability, {
    type: 'bar',
    data: { labels: [], datasets: [] },
    plugins,
    options: options({
      x: axis('Poison campaign', { ticks: { color: MUTED, autoSkip: false, maxRotation: 0 } }),
      y: axis('Updates survived', {
        min: 0,
        suggestedMax: 3,
        ticks: { color: MUTED, precision: 0 },
      }),
      empty: 'No poison campaign yet',
      legend: false,
      barUnit: 'upd.',
      tooltipLabel: (ctx) =>
        `${ctx.label}: ${ctx.raw} update${ctx.raw === 1 ? '' : 's'} after its last poisoned one`,
    }),
  });

  const timelineMarks = [
    { kind: 'promoted', label: 'Promotion', colour: OKABE_ITO.blue, pointStyle: 'circle', radius: 3 },
    {
      kind: 'rolledback',
      label: 'Rollback',
      colour: OKABE_ITO.vermillion,
      pointStyle: 'triangle',
      radius: 8,
      rotation: 180,
    },
    {
      kind: 'rejected',
      label: 'Rejected update',
      colour: OKABE_ITO.black,
      pointStyle: 'crossRot',
      radius: 7,
    },
    { kind: 'failed', label: 'Failed update', colour: OKABE_ITO.black, pointStyle: 'cross', radius: 7 },
    {
      kind: 'poison',
      label: 'Poison injected',
      colour: OKABE_ITO.reddishPurple,
      pointStyle: 'triangle',
      radius: 8,
    },
    {
      kind: 'poison-stopped',
      label: 'Poison stopped',
      colour: OKABE_ITO.reddishPurple,
      pointStyle: 'line',
      radius: 9,
    },
    { kind: 'scan', label: 'Scan: clean', colour: OKABE_ITO.bluishGreen, pointStyle: 'rect', radius: 6 },
    { kind: 'scan-flagged', label: 'Scan: flagged', colour: OKABE_ITO.orange, pointStyle: 'rect', radius: 8 },
    {
      kind: 'schedule',
      label: 'Schedule switch',
      colour: MARKER_STYLE.schedule.colour,
      pointStyle: 'rectRot',
      radius: 7,
    },
    {
      kind: 'policy',
      label: 'Policy decision',
      colour: MARKER_STYLE.policy.colour,
      pointStyle: 'rectRot',
      radius: 8,
    },
    { kind: 'alert-firing', label: 'Alert firing', colour: OKABE_ITO.orange, pointStyle: 'star', radius: 9 },
    {
      kind: 'alert-resolved',
      label: 'Alert resolved',
      colour: OKABE_ITO.bluishGreen,
      pointStyle: 'star',
      radius: 7,
    },
  ];
  const timelineOptions = options({
    x: axis('Time (local, hh:mm:ss)', {
      type: 'linear',
      // An empty timeline spans the first millisecond of 1970: no clock ticks then.
      ticks: { color: MUTED, maxTicksLimit: 8, callback: (v) => (v > 1e12 ? clock(v) : '') },
    }),
    y: axis('Served version', {
      type: 'linear',
      min: 0,
      ticks: { color: MUTED, precision: 0, callback: (v) => (Number.isInteger(v) && v > 0 ? `v${v}` : '') },
    }),
    empty: 'Waiting for the registry…',
    tooltipLabel: (ctx) => {
      const p = ctx.raw;
      if (ctx.dataset.yAxisID === 'y2') return `Drift step ${p.y} (${clock(p.x)})`;
      const what = p.label ? ` ${p.label}` : '';
      const step = Number.isFinite(p.step) ? `, drift step ${p.step}` : '';
      return `${ctx.dataset.label}${what}: v${p.y}${step} at ${clock(p.x)}`;
    },
  });
  timelineOptions.scales.y2 = axis('Drift step', {
    type: 'linear',
    position: 'right',
    min: 0,
    grid: { drawOnChartArea: false },
    ticks: { color: MUTED, precision: 0 },
  });
  timelineOptions.interaction = { mode: 'nearest', intersect: true };
  const timeline = new Chart(canvases.timeline, {
    type: 'scatter',
    data: { datasets: [] },
    plugins,
    options: timelineOptions,
  });

  function update(store) {
    // The per-version charts share one x range so that they line up.
    const versions = [...store.versions.keys()];
    for (const chart of [accuracy, asr, anomaly]) {
      // Half a version of margin: a lone first version is visible and edge points are whole.
      chart.options.scales.x.min = versions.length ? Math.min(...versions) - 0.5 : 0.5;
      chart.options.scales.x.max = versions.length ? Math.max(...versions) + 0.5 : 1.5;
    }
    const markers = chartMarkers(store);
    for (const chart of [accuracy, asr, anomaly]) chart.options.plugins.eventMarkers = { markers };
    const acc = accuracySeries(store);
    accuracy.data.datasets = [
      lineDataset('Promoted versions', acc.promoted, {
        colour: OKABE_ITO.black,
        dash: [],
        pointStyle: 'circle',
      }),
      // Shown only when an update diverged, so the legend lists what is drawn.
      ...(acc.rejected.length
        ? [
            lineDataset(
              'Rejected (diverged) versions',
              acc.rejected,
              { colour: OKABE_ITO.vermillion, dash: [], pointStyle: 'crossRot' },
              { showLine: false, pointRadius: 7, borderWidth: 2 },
            ),
          ]
        : []),
    ];
    const whatIf = replaySeries(store);
    // The counterfactual overlay: dashed, hollow points, labelled with its policy.
    const overlay = (points) =>
      lineDataset(
        `What if ${whatIf.policy}${whatIf.status === 'succeeded' ? '' : ` · ${whatIf.status}`}`,
        points,
        { colour: OKABE_ITO.bluishGreen, dash: [6, 3], pointStyle: 'rectRot' },
        { replay: whatIf.id, pointBackgroundColor: '#ffffff' },
      );
    if (whatIf?.accuracy.length) accuracy.data.datasets.push(overlay(whatIf.accuracy));
    accuracy.update('none');

    asr.data.datasets = asrSeries(store).map((s, i) => {
      const inactive = s.status === 'finished' || s.status === 'stopped';
      return lineDataset(`${s.label}${inactive ? ` · ${s.status}` : ''}`, s.points, seriesStyle(i), {
        campaign: s.id,
      });
    });
    if (whatIf?.asr.length) asr.data.datasets.push(overlay(whatIf.asr));
    asr.update('none');

    anomaly.data.datasets = anomalySeries(store).map((s, i) =>
      lineDataset(defenseLabel(s.defense), s.points, seriesStyle(i), {
        pointRadius: s.points.map((p) => (p.flagged ? 7 : 3.5)),
      }),
    );
    anomaly.update('none');

    const bars = survivabilityBars(store);
    survivability.data.labels = bars.map((b) => b.label.replace(/ \(.*\)$/, ''));
    survivability.data.datasets = [
      {
        label: 'Survivability so far',
        data: bars.map((b) => b.value),
        backgroundColor: bars.map((_b, i) => `${seriesStyle(i).colour}cc`),
        borderColor: bars.map((_b, i) => seriesStyle(i).colour),
        borderWidth: 2,
        maxBarThickness: 48,
      },
    ];
    survivability.update('none');

    const t = timelineSeries(store);
    timeline.data.datasets = [
      {
        label: 'Served version',
        data: t.served,
        type: 'line',
        stepped: 'before',
        borderColor: OKABE_ITO.blue,
        backgroundColor: OKABE_ITO.blue,
        borderWidth: 2,
        pointRadius: 0,
        isReference: true,
      },
      {
        label: 'Drift step (right axis)',
        data: t.drift,
        type: 'line',
        stepped: 'before',
        yAxisID: 'y2',
        borderColor: OKABE_ITO.skyBlue,
        backgroundColor: OKABE_ITO.skyBlue,
        borderDash: [6, 4],
        borderWidth: 2,
        pointRadius: 0,
        isReference: true,
      },
      ...timelineMarks
        .filter((m) => t.marks[m.kind]?.length)
        .map((m) => ({
          label: m.label,
          data: t.marks[m.kind],
          showLine: false,
          pointStyle: m.pointStyle,
          pointRadius: m.radius,
          pointHoverRadius: m.radius + 2,
          rotation: m.rotation ?? 0,
          borderColor: m.colour,
          backgroundColor: `${m.colour}99`,
          borderWidth: 2,
        })),
    ];
    timeline.update('none');
  }

  return { accuracy, asr, anomaly, survivability, timeline, update };
}
