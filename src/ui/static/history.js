// History: past deploys with outcome, duration and PR count; bot decisions against human overrides over time.
import { fmtDuration, getJson, h, initPage, showError, timeEl } from './common.js';
import { startTimeline } from './timeline.js';
import { wrap } from './widgets.js';

const content = document.getElementById('content');

function median(xs) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function figures(v) {
  const done = v.deploys.filter((d) => ['reached_production', 'rolled_back', 'tainted'].includes(d.outcome));
  const t = v.decisions.totals;
  const fig = (n, label) => h('div', { class: 'figure' }, h('div', { class: 'n' }, String(n)), h('div', { class: 'muted' }, label));
  return h('div', { class: 'figures' },
    fig(v.deploys.length, 'builds'),
    fig(v.deploys.filter((d) => d.outcome === 'reached_production').length, 'reached production'),
    fig(v.deploys.filter((d) => d.outcome === 'rolled_back' || d.outcome === 'tainted').length, 'rolled back'),
    // Only finished journeys have a duration to compare; the label says so and how many there are.
    fig(fmtDuration(median(done.map((d) => d.durationMs).filter((x) => x !== null))), `median duration of the ${done.length} finished deploys`),
    fig(median(v.deploys.map((d) => d.prCount)) ?? '—', 'median PRs per build'),
    fig(t.bot, 'bot decisions'),
    fig(t.botInterventions, 'bot interventions'),
    fig(t.human, 'human decisions (overrides)'));
}

function decisionsChart(parent, d) {
  if (d.buckets.length === 0) return parent.append(h('p', { class: 'muted' }, 'No decisions yet.'));
  const box = h('figure', { class: 'chart', id: 'decisions-chart' }, h('h3', {}, `Decisions per ${fmtDuration(d.bucketMs)}`));
  parent.append(box);
  const bars = uPlot.paths.bars({ size: [0.6, 40] });
  const opts = {
    width: Math.max(320, Math.min(1100, parent.clientWidth - 24)), height: 220,
    // Fixed x range: with one bucket uPlot would otherwise stretch the axis over years.
    scales: { x: { time: true, range: () => [d.buckets[0].start / 1000 - d.bucketMs / 1000, d.buckets.at(-1).start / 1000 + d.bucketMs / 1000] } },
    series: [{ label: 'time' },
      { label: 'bot interventions', stroke: '#0b4f9c', fill: 'rgba(11,79,156,0.35)', paths: bars },
      { label: 'human decisions', stroke: '#a40016', fill: 'rgba(164,0,22,0.35)', paths: bars },
      { label: 'all bot decisions', stroke: '#1a1d21', width: 1.5, dash: [4, 3] }],
  };
  const data = [d.buckets.map((b) => b.start / 1000), d.buckets.map((b) => b.botInterventions), d.buckets.map((b) => b.human), d.buckets.map((b) => b.bot)];
  new uPlot(opts, data, box);
  box.append(h('figcaption', { class: 'muted' }, 'Interventions are holds, stops and rollbacks the bot decided; human decisions are actions people took (from Slack or this UI).'));
}

function deploysTable(rows) {
  return wrap(h('table', {},
    h('caption', {}, 'Every build, newest first'),
    h('thead', {}, h('tr', {}, ['Build', 'Received', 'Outcome', 'Furthest stage', 'Duration', 'PRs', 'Steps'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, rows.map((d) => h('tr', { 'data-build': d.buildId },
      h('td', {}, h('a', { href: `/builds/${encodeURIComponent(d.buildId)}` }, d.buildId)),
      h('td', {}, timeEl(Date.parse(d.receivedAt))),
      h('td', {}, h('span', { class: `badge out-${d.outcome}` }, d.outcome.replace('_', ' '))),
      h('td', {}, d.furthestStage ?? '—'),
      h('td', {}, fmtDuration(d.durationMs)),
      h('td', {}, String(d.prCount)),
      h('td', {}, String(d.stepCount)))))));
}

async function load() {
  try {
    const v = await getJson('/api/history');
    const charts = h('div', {});
    const timeline = h('section', { 'aria-label': 'Last 24 hours', id: 'timeline-box' });
    content.replaceChildren(figures(v), h('h2', {}, 'Last 24 hours'), timeline, h('h2', {}, 'Bot decisions and human overrides'), charts, h('h2', {}, 'Deploys'), deploysTable(v.deploys));
    startTimeline(timeline, 0);
    decisionsChart(charts, v.decisions);
  } catch (err) {
    showError(content, err);
  }
}

await initPage('history');
await load();
