// Draws one check's chart with uPlot: in-scope and out-of-scope series, the baseline mean with its
// ±threshold·σ band, static and dynamic thresholds, and the deploy and breach moments as vertical lines.

const COLORS = { inScope: ['#0b4f9c', '#00695c', '#4a148c'], outScope: '#7b828c', mean: '#1a1d21', band: 'rgba(11,79,156,0.22)', static: '#7a4b00', dynamic: '#6a1b9a', deploy: '#1b5e20', breach: '#a40016' };

function labelOf(labels) {
  // The metric name is the check's; the other labels tell series apart.
  return Object.entries(labels).filter(([k]) => k !== '__name__').map(([k, v]) => `${k}=${v}`).join(' ') || 'series';
}

/** A compact key under the chart (uPlot's legend lists every series, too long with dozens of reference series). */
function chartKey(chart, series, markers) {
  const ul = document.createElement('ul');
  ul.className = 'chart-key';
  const item = (color, text, dash) => {
    const li = document.createElement('li');
    const sw = document.createElement('span');
    sw.className = 'swatch';
    sw.style.borderTop = `3px ${dash ? 'dashed' : 'solid'} ${color}`;
    if (color === COLORS.band) Object.assign(sw.style, { borderTop: '0', background: COLORS.band, height: '10px' });
    li.append(sw, text);
    ul.append(li);
  };
  const inScope = series.filter((s) => s.label.startsWith('in scope'));
  if (inScope.length <= 4) inScope.forEach((s) => item(s.stroke, s.label));
  else item(COLORS.inScope[0], `in the deploy's scope (${inScope.length} series)`);
  const out = chart.series.filter((s) => !s.inScope).length;
  if (out) item(COLORS.outScope, `outside the deploy (${out} series, for reference)`);
  if (chart.baseline) {
    item(COLORS.mean, 'baseline mean', true);
    item(COLORS.band, 'mean ± threshold·σ');
  }
  for (const s of series) if (s.label.includes('threshold') && !s.label.startsWith('band')) item(s.stroke, s.label, true);
  for (const m of markers) item(m.color, m.label === 'deploy' ? 'deploy reached the scope' : 'breach detected', Boolean(m.dash));
  return ul;
}

/** Aligns every series on the union of their timestamps (uPlot needs one x array); gaps become null. */
function align(chart) {
  const xsMs = new Set();
  for (const s of chart.series) s.timestamps.forEach((t) => xsMs.add(t));
  chart.baseline?.timestamps.forEach((t) => xsMs.add(t));
  const xs = [...xsMs].sort((a, b) => a - b);
  const index = new Map(xs.map((t, i) => [t, i]));
  const column = (timestamps, values) => {
    const out = new Array(xs.length).fill(null);
    timestamps.forEach((t, i) => (out[index.get(t)] = values[i]));
    return out;
  };
  return { xs, column };
}

/** Vertical marker lines, drawn after the series. */
function markersPlugin(markers) {
  return {
    hooks: {
      draw: [(u) => {
        const { ctx } = u;
        const { top, height } = u.bbox;
        markers.forEach((m, i) => {
          const x = Math.round(u.valToPos(m.at / 1000, 'x', true));
          ctx.save();
          ctx.strokeStyle = m.color;
          ctx.lineWidth = 2 * devicePixelRatio;
          ctx.setLineDash(m.dash ?? []);
          ctx.beginPath();
          ctx.moveTo(x, top);
          ctx.lineTo(x, top + height);
          ctx.stroke();
          ctx.fillStyle = m.color;
          ctx.font = `${12 * devicePixelRatio}px system-ui, sans-serif`;
          // One label per line, so close markers do not print over each other.
          ctx.fillText(m.label, x + 4 * devicePixelRatio, top + (14 + 14 * i) * devicePixelRatio);
          ctx.restore();
        });
      }],
    },
  };
}

/** y range [min, max] covering the in-scope series, the band and the thresholds, with a margin. */
function focusRange(chart) {
  const vals = [];
  for (const s of chart.series) if (s.inScope) vals.push(...s.values);
  if (chart.baseline) vals.push(...chart.baseline.lower, ...chart.baseline.upper);
  if (chart.staticThreshold !== undefined) vals.push(chart.staticThreshold);
  if (chart.dynamicThreshold !== undefined) vals.push(chart.dynamicThreshold);
  const finite = vals.filter((v) => v !== null && Number.isFinite(v));
  if (finite.length === 0) return undefined;
  const lo = Math.min(...finite);
  const hi = Math.max(...finite);
  const pad = (hi - lo || Math.abs(hi) || 1) * 0.1;
  return [lo >= 0 && lo - pad < 0 ? 0 : lo - pad, hi + pad];
}

/** Builds the uPlot options and data for one CheckChart. Exported for tests in the browser. */
export function chartSpec(chart, width) {
  const { xs, column } = align(chart);
  const data = [xs.map((t) => t / 1000)];
  const series = [{ label: 'time' }];
  const bands = [];
  const add = (s, values) => {
    series.push(s);
    data.push(values);
    return series.length - 1;
  };
  // Drawn in order: reference series underneath, then the band, then the in-scope series on top.
  for (const s of chart.series.filter((x) => !x.inScope)) {
    add({ label: `outside: ${labelOf(s.labels)}`, stroke: COLORS.outScope, width: 1, spanGaps: true }, column(s.timestamps, s.values));
  }
  if (chart.baseline) {
    const b = chart.baseline;
    const lo = add({ label: 'band lower (mean − threshold·σ)', stroke: COLORS.band, width: 1, spanGaps: true }, column(b.timestamps, b.lower));
    const hi = add({ label: 'band upper (mean + threshold·σ)', stroke: COLORS.band, width: 1, spanGaps: true }, column(b.timestamps, b.upper));
    add({ label: 'baseline mean', stroke: COLORS.mean, width: 1.5, dash: [6, 4], spanGaps: true }, column(b.timestamps, b.mean));
    bands.push({ series: [hi, lo], fill: COLORS.band });
  }
  let n = 0;
  for (const s of chart.series.filter((x) => x.inScope)) {
    add({ label: `in scope: ${labelOf(s.labels)}`, stroke: COLORS.inScope[n++ % COLORS.inScope.length], width: 2, spanGaps: true }, column(s.timestamps, s.values));
  }
  if (chart.staticThreshold !== undefined) add({ label: `static threshold ${chart.staticThreshold}`, stroke: COLORS.static, width: 1.5, dash: [2, 3] }, xs.map(() => chart.staticThreshold));
  if (chart.dynamicThreshold !== undefined) add({ label: `dynamic threshold ${chart.dynamicThreshold.toFixed(3)}`, stroke: COLORS.dynamic, width: 1.5, dash: [8, 3] }, xs.map(() => chart.dynamicThreshold));
  const markers = [];
  if (chart.deployAt !== undefined) markers.push({ at: chart.deployAt, color: COLORS.deploy, label: 'deploy', dash: [4, 3] });
  if (chart.breachAt !== undefined) markers.push({ at: chart.breachAt, color: COLORS.breach, label: 'breach' });
  const opts = {
    width, height: 280,
    // Fit the y axis to what is judged (in-scope series, band, thresholds): reference series from other tiers
    // can sit at another scale and would flatten the in-scope lines; they are clipped instead.
    scales: { x: { time: true }, y: { range: focusRange(chart) } }, series, bands, plugins: [markersPlugin(markers)],
    axes: [{ stroke: '#1a1d21' }, { stroke: '#1a1d21', size: 60 }],
    legend: { show: false },
  };
  return { opts, data, markers };
}

/** Renders a chart into `parent`; records what it drew on the element (data-series, data-bands) for tests and tools. */
export function renderChart(parent, chart) {
  const box = document.createElement('figure');
  box.className = 'chart';
  box.dataset.check = chart.check;
  const title = document.createElement('h3');
  title.textContent = `Check: ${chart.check}`;
  box.append(title);
  parent.append(box);
  const width = Math.max(320, Math.min(1100, parent.clientWidth - 24));
  const { opts, data, markers } = chartSpec(chart, width);
  opts.title = undefined;
  const plot = new uPlot(opts, data, box);
  box.dataset.series = JSON.stringify(opts.series.slice(1).map((s) => s.label));
  box.dataset.bands = String(opts.bands.length);
  box.dataset.markers = markers.map((m) => m.label).join(',');
  box.append(chartKey(chart, opts.series.slice(1), markers));
  const cap = document.createElement('figcaption');
  cap.className = 'muted';
  const parts = [`${chart.series.length} series`];
  if (chart.baseline) parts.push('shaded: baseline mean ± threshold·σ');
  else parts.push('no z-score baseline for this check (threshold rules only)');
  if (markers.length) parts.push(`vertical lines: ${markers.map((m) => m.label).join(' and ')}`);
  cap.textContent = parts.join('; ');
  box.append(cap);
  (window.__charts ??= []).push(plot);
  return plot;
}
