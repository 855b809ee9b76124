// Event page: the event's facts, its signals, and a uPlot chart per check with band, thresholds and markers.
import { fmtTime, getJson, h, initPage, rollbackButton, severityBadge, showError } from './common.js';
import { renderChart } from './chart.js';

const content = document.getElementById('content');
const id = decodeURIComponent(location.pathname.split('/').pop());

function signalsTable(signals) {
  if (signals.length === 0) return h('p', { class: 'muted' }, 'No signals recorded.');
  return h('table', {},
    h('thead', {}, h('tr', {}, ['Check', 'Series', 'Scope', 'At', 'Verdict', 'Links'].map((t) => h('th', { scope: 'col' }, t)))),
    h('tbody', {}, signals.map((s) => h('tr', {},
      h('td', {}, s.check),
      h('td', { class: 'mono' }, Object.entries(s.labels).map(([k, v]) => `${k}=${v}`).join(', ')),
      h('td', {}, s.inScope ? 'in deploy scope' : 'outside'),
      h('td', {}, fmtTime(s.at)),
      h('td', {}, `${s.verdict.rule}: ${s.verdict.reason}`),
      h('td', {}, s.links?.graph ? h('a', { href: s.links.graph }, 'graph') : '', ' ', s.links?.logs ? h('a', { href: s.links.logs }, 'logs') : '')))));
}

async function load() {
  try {
    const { event: ev, charts, chartsError } = await getJson(`/api/events/${encodeURIComponent(id)}`);
    document.getElementById('title').textContent = `Event ${ev.id}`;
    const facts = h('dl', { class: 'kv' },
      h('dt', {}, 'Severity'), h('dd', {}, severityBadge(ev.severity)),
      h('dt', {}, 'Confidence'), h('dd', {}, `${ev.confidence} that the deploy caused it`),
      h('dt', {}, 'Deploy'), h('dd', {}, h('a', { href: `/builds/${encodeURIComponent(ev.buildId)}` }, ev.buildId), ` in ${ev.stage} (${ev.environment})`),
      h('dt', {}, 'Status'), h('dd', {}, ev.status, ev.closedAt ? ` (closed ${fmtTime(ev.closedAt)})` : ''),
      h('dt', {}, 'Opened'), h('dd', {}, fmtTime(ev.openedAt)),
      h('dt', {}, 'Action'), h('dd', {}, ev.action ?? 'none'),
      h('dt', {}, 'Why'), h('dd', {}, ev.summary));
    const chartBox = h('div', { id: 'charts' });
    content.replaceChildren(facts, h('p', {}, rollbackButton(ev.buildId)), h('h2', {}, 'Charts'), chartBox, h('h2', {}, 'Signals'), signalsTable(ev.signals));
    if (chartsError) chartBox.append(h('p', { class: 'muted' }, `Charts unavailable: ${chartsError}`));
    for (const c of charts) renderChart(chartBox, c);
  } catch (err) {
    showError(content, err);
  }
}

await initPage('events');
await load();
