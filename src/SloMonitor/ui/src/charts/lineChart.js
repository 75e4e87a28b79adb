// A uPlot line chart that fills its container's width, keeps its threshold lines and counts what it drew.
import uPlot from 'uplot';

// Colour-blind-safe palette (Okabe–Ito); each series also gets its own dash pattern.
export const palette = ['#0072b2', '#e69f00', '#009e73', '#cc79a7', '#56b4e9', '#d55e00', '#000000'];
const dashes = [[], [8, 4], [2, 3], [10, 3, 2, 3], [4, 4], [1, 2], [12, 6]];

// Marks each point when a series has few of them, so that a lone reading is still seen.
function sparse(u, seriesIndex) {
  const values = u.data[seriesIndex] ?? [];
  let count = 0;
  for (const v of values) if (v !== null && v !== undefined) count += 1;
  return count > 0 && count <= 40;
}

const isDecade = (v) => v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9;
const decadeAbove = (v) => 10 ** Math.ceil(Math.log10(v));

/**
 * `series`: [{ label, spanGaps }] (`spanGaps` joins the line across missing values); `thresholds`: [{ label, value }] drawn as flat dashed lines; `format`: tick and legend
 * text for y values; `logFloor`: a logarithmic y axis on which values below the floor (zero included) sit on it
 * and read as "≤ floor". Returns `setData(times, columns, range)`, times in seconds since the epoch, and
 * `setBands(bands)`: time ranges [{ from, to }] (epoch seconds) shaded behind the lines, such as budget adjustments;
 * `setMarkers(markers)`: instants [{ at, label }] (epoch seconds) drawn as labelled vertical lines, such as deploys.
 */
export function lineChart(container, { title, series, thresholds = [], format = (v) => String(v), yRange, logFloor, height = 240 }) {
  const shown = (v) => (logFloor && v <= logFloor ? `≤${format(logFloor)}` : format(v));
  const uSeries = [
    {},
    ...series.map((s, i) => ({
      label: s.label, stroke: s.stroke ?? palette[i % palette.length], width: s.width ?? 2, dash: s.dash ?? dashes[i % dashes.length],
      spanGaps: s.spanGaps ?? false, points: { show: sparse, size: 6 }, value: (_, v) => (v === null || v === undefined ? '–' : shown(v)),
    })),
    ...thresholds.map((t) => ({
      label: t.label, stroke: t.stroke ?? '#b00020', width: 1.5, dash: [6, 6], points: { show: false },
      value: () => format(t.value),
    })),
  ];
  let xRange = null;
  let bands = [];
  let markers = [];
  const mark = (u) => {
    const { left, top, width, height: h } = u.bbox;
    u.ctx.save();
    u.ctx.strokeStyle = '#6a3d9a';
    u.ctx.fillStyle = '#6a3d9a';
    u.ctx.setLineDash([3, 3]);
    u.ctx.font = `${Math.round(11 * devicePixelRatio)}px sans-serif`;
    for (const marker of markers) {
      const x = u.valToPos(marker.at, 'x', true);
      if (x < left || x > left + width) continue;
      u.ctx.beginPath();
      u.ctx.moveTo(x, top);
      u.ctx.lineTo(x, top + h);
      u.ctx.stroke();
      u.ctx.fillText(marker.label, x + 3, top + 12 * devicePixelRatio);
    }
    u.ctx.restore();
  };
  const shade = (u) => {
    const { left, top, width, height: h } = u.bbox;
    u.ctx.save();
    u.ctx.fillStyle = 'rgba(120, 120, 120, 0.18)';
    for (const band of bands) {
      const x0 = Math.max(left, u.valToPos(band.from, 'x', true));
      const x1 = Math.min(left + width, u.valToPos(band.to, 'x', true));
      if (x1 > x0) u.ctx.fillRect(x0, top, x1 - x0, h);
    }
    u.ctx.restore();
  };
  const options = {
    title,
    width: Math.max(320, container.clientWidth || 640),
    height,
    series: uSeries,
    scales: {
      x: { time: true, range: (u, min, max) => xRange ?? [min, max] },
      y: logFloor ? { distr: 3, log: 10, range: (u, min, max) => [logFloor, decadeAbove(Math.max(max ?? 1, logFloor * 10))] }
        : yRange ? { range: yRange } : { auto: true },
    },
    // On a log axis only the decades (0.01×, 0.1×, 1×, 10×, …) are labelled.
    axes: [{}, { values: (_, ticks) => ticks.map((v) => (!logFloor || isDecade(v) ? shown(v) : '')), size: 70 }],
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
    hooks: { drawClear: [shade], draw: [mark] },
  };
  const chart = new uPlot(options, [[], ...uSeries.slice(1).map(() => [])], container);
  const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(320, container.clientWidth), height }));
  resize.observe(container);
  // How many shaded ranges fall inside the shown time, for those who read the chart without seeing it.
  const countBands = () => {
    // The requested range when there is one: uPlot sets its scales only once the chart is first drawn.
    const [min, max] = xRange ?? [chart.scales.x.min, chart.scales.x.max];
    const known = min !== undefined && min !== null;
    container.dataset.bands = String(bands.filter((b) => !known || (b.to > min && b.from < max)).length);
    container.dataset.markers = String(markers.filter((m) => !known || (m.at >= min && m.at <= max)).length);
  };

  return {
    /** `range`: [from, to] in epoch seconds, so that a chart with few points still spans the requested time. */
    setData(times, columns, range) {
      xRange = range ?? null;
      const lines = thresholds.map((t) => times.map(() => t.value));
      const plotted = logFloor ? columns.map((c) => c.map((v) => (v === null || v === undefined ? null : Math.max(v, logFloor)))) : columns;
      chart.setData([times, ...plotted, ...lines]);
      const drawn = columns.reduce((sum, column) => sum + column.filter((v) => v !== null && v !== undefined).length, 0);
      container.dataset.points = String(drawn);
      countBands();
    },
    setBands(next) {
      bands = next;
      chart.redraw(false, false);
      countBands();
    },
    setMarkers(next) {
      markers = next;
      chart.redraw(false, false);
      countBands();
    },
  };
}
